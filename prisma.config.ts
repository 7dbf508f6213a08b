import { defineConfig } from "prisma/config";

// The Prisma CLI reads this file. The app does not: it builds its own client from core/config.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
