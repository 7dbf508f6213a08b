import { index, route, type RouteConfig } from "@react-router/dev/routes";

// Config-based routes: the whole console's URL space, readable in one place.
export default [
  index("routes/home.tsx"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
] satisfies RouteConfig;
