import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

export default defineConfig({
  // Vitest reads this file too; the React Router plugin would try to build the console there.
  plugins: process.env.VITEST ? [] : [reactRouter()],
  ssr: {
    // Native addons, drivers and the embedded database load from node_modules at run time,
    // exactly once per process, never copied into the server bundle.
    external: ["@node-rs/argon2", "pg", "@electric-sql/pglite", "ioredis", "rate-limiter-flexible"],
  },
});
