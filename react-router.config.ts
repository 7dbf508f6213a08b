import type { Config } from "@react-router/dev/config";

// The console lives under admin/; its build is served by admin/server.ts (not by react-router-serve).
export default {
  appDirectory: "admin/app",
  buildDirectory: "build",
  ssr: true,
  // Each v8 flag decided, so builds stop warning about it.
  future: {
    v8_middleware: false, // services arrive as AppLoadContext (admin/app/context.ts)
    v8_passThroughRequests: false, // guards build ?redirectTo= from request.url, which must not end in .data
    v8_splitRouteModules: true,
    v8_trailingSlashAwareDataRequests: true,
    v8_viteEnvironmentApi: false,
  },
} satisfies Config;
