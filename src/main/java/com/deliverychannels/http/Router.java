package com.deliverychannels.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A function's routes, matched by method and path template ({@code /v1/identities/{id}}). A path known
 * under other methods answers 405 with {@code Allow}; an unknown path 404.
 */
public final class Router {
    private final List<Route> routes;

    private Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** Handles one matched request. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request);
    }

    /**
     * One route: {@code method} and path template. Routes are behind the JWT authorizer unless
     * {@code anonymous} (SNS's webhook): a request without a caller is refused before anything else is read.
     */
    public record Route(String method, String template, boolean anonymous, Handler handler) {
        List<String> segments() {
            return List.of(template.substring(1).split("/"));
        }
    }

    /** The outcome of matching a request. */
    public sealed interface Match {
        record Found(Route route, Map<String, String> params) implements Match {
        }

        record WrongMethod(Set<String> allowed) implements Match {
        }

        record Unknown() implements Match {
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The routes, for listing (the local front and the template check read them). */
    public List<Route> routes() {
        return routes;
    }

    /** Matches {@code method} and {@code path}. */
    public Match match(String method, String path) {
        String[] parts = path.length() > 1 && path.endsWith("/")
                ? path.substring(1, path.length() - 1).split("/", -1)
                : path.substring(Math.min(1, path.length())).split("/", -1);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments(), parts);
            if (params == null) {
                continue;
            }
            if (route.method().equals(method)) {
                return new Match.Found(route, params);
            }
            allowed.add(route.method());
        }
        return allowed.isEmpty() ? new Match.Unknown() : new Match.WrongMethod(allowed);
    }

    private static Map<String, String> bind(List<String> template, String[] parts) {
        if (template.size() != parts.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < parts.length; i++) {
            String segment = template.get(i);
            if (segment.startsWith("{") && segment.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                params.put(segment.substring(1, segment.length() - 1), decode(parts[i]));
            } else if (!segment.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    private static String decode(String segment) {
        try {
            return java.net.URLDecoder.decode(segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return segment;
        }
    }

    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        /** A route for callers the JWT authorizer named. */
        public Builder route(String method, String template, Handler handler) {
            routes.add(new Route(method, template, false, handler));
            return this;
        }

        /** A route API Gateway serves without its authorizer. */
        public Builder anonymousRoute(String method, String template, Handler handler) {
            routes.add(new Route(method, template, true, handler));
            return this;
        }

        public Router build() {
            return new Router(routes);
        }
    }
}
