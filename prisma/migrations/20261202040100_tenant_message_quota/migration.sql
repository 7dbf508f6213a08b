-- The LINE account's monthly message limit and use, as the bot last read them, for the console.
ALTER TABLE "Tenant" ADD COLUMN "messageQuota" JSONB;
