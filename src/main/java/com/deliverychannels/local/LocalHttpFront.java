package com.deliverychannels.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.deliverychannels.config.LocalConfig;
import com.deliverychannels.function.BouncesFunction;
import com.deliverychannels.function.ChannelsFunction;
import com.deliverychannels.function.RetryFunction;
import com.deliverychannels.function.SendFunction;
import com.deliverychannels.http.ChannelsRoutes;
import com.deliverychannels.http.Router;
import com.deliverychannels.http.SendRoutes;
import com.deliverychannels.http.WebhookRoutes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Dev mode: plays API Gateway on {@code http://localhost:8080}. Each plain HTTP request becomes the
 * {@code APIGatewayV2HTTPEvent} the HTTP API would send, goes to the function that owns its route, and
 * the function's answer goes back as HTTP. It also stands in for the JWT authorizer: the caller's
 * {@code sub} comes from the header {@code X-Local-User}, or from the payload of an
 * {@code Authorization: Bearer} JWT, read without verifying it (local only; in AWS the authorizer
 * verifies the token and this class does not exist). {@code GET /openapi.yaml} answers the routes' OpenAPI
 * document, for Swagger UI, Postman or a client generator pointed at dev mode.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class LocalHttpFront {
    private static final Logger LOG = Logger.getLogger(LocalHttpFront.class);
    /** API Gateway's own payload limit; the functions apply the contract's smaller one. */
    private static final int MAX_REQUEST_BYTES = 10 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /**
     * On the classpath, kept in step with the routers by {@code OpenApiMatchesRoutersTest}. Only dev mode serves
     * it, so the native image leaves it out ({@code quarkus.native.resources.includes} does not name it).
     */
    private static final String OPENAPI_DOCUMENT = "openapi/openapi.yaml";

    private final Vertx vertx;
    private final List<Front> fronts;
    private final LocalMailCatcher mail;
    private final BouncesFunction bounces;
    private final RetryFunction retry;
    private Buffer openApi;
    private HttpServer server;

    /** A function with the routes it owns, as the SAM template maps them. */
    private record Front(Router router, Function<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> function,
            boolean authorized) {
    }

    public LocalHttpFront(Vertx vertx, ChannelsFunction channels, ChannelsRoutes channelsRoutes, SendFunction send,
            SendRoutes sendRoutes, BouncesFunction bounces, WebhookRoutes webhookRoutes, RetryFunction retry,
            LocalMailCatcher mail) {
        this.vertx = vertx;
        this.mail = mail;
        this.bounces = bounces;
        this.retry = retry;
        this.fronts = List.of(
                new Front(channelsRoutes.router(), channels::channels, true),
                new Front(sendRoutes.router(), send::send, true),
                new Front(webhookRoutes.router(), bounces::webhook, false));
    }

    void start(@Observes StartupEvent event, LocalConfig local) {
        // Read at each start: live reload starts the application again after the document changes.
        openApi = classpathResource(OPENAPI_DOCUMENT);
        server = vertx.createHttpServer().requestHandler(this::handle);
        server.listen(local.httpPort(), "localhost").toCompletionStage().toCompletableFuture().join();
        LOG.infof("Local API Gateway stand-in on http://localhost:%d (caller: header X-Local-User)", local.httpPort());
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private void handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET && request.path().equals("/openapi.yaml")) {
            request.response().putHeader("content-type", "application/yaml").end(openApi);
            return;
        }
        if (request.path().equals("/_local/mail")) {
            try {
                request.response().putHeader("content-type", "application/json")
                        .end(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(mail.caught()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                request.response().setStatusCode(500).end();
            }
            return;
        }
        if (request.path().startsWith("/_local/events/")) {
            request.body().onSuccess(body -> vertx.executeBlocking(() -> invokeEvent(request.path(), body), false)
                    .onComplete(result -> {
                        if (result.failed()) {
                            LOG.warn("local event failed", result.cause());
                            request.response().setStatusCode(500).putHeader("content-type", "text/plain")
                                    .end(String.valueOf(result.cause().getMessage()));
                        } else {
                            request.response().putHeader("content-type", "application/json").end(result.result());
                        }
                    }));
            return;
        }
        request.body().onSuccess(body -> {
            if (body.length() > MAX_REQUEST_BYTES) {
                request.response().setStatusCode(413).end();
                return;
            }
            vertx.executeBlocking(() -> invoke(request, body), false).onComplete(result -> {
                if (result.failed()) {
                    LOG.error("local front failed", result.cause());
                    request.response().setStatusCode(502).end("function failed; see the log");
                    return;
                }
                APIGatewayV2HTTPResponse answer = result.result();
                var response = request.response().setStatusCode(answer.getStatusCode());
                if (answer.getHeaders() != null) {
                    answer.getHeaders().forEach(response::putHeader);
                }
                String out = answer.getBody();
                if (out == null) {
                    response.end();
                } else if (answer.getIsBase64Encoded()) {
                    response.end(Buffer.buffer(Base64.getDecoder().decode(out)));
                } else {
                    response.end(out);
                }
            });
        });
    }

    /**
     * {@code POST /_local/events/bounces} (an SNS → Lambda event) and {@code POST /_local/events/retry} (an
     * EventBridge scheduled event): the raw Lambda events the other two functions receive in AWS.
     */
    private String invokeEvent(String path, Buffer body) throws Exception {
        String function = path.substring("/_local/events/".length());
        Object answer = switch (function) {
            case "bounces" -> bounces.bounces(JSON.readTree(body.getBytes()));
            case "retry" -> retry.retry(JSON.readValue(body.getBytes(), RetryFunction.ScheduledEvent.class));
            default -> throw new IllegalArgumentException("no local event route for " + function
                    + "; use /_local/events/bounces or /_local/events/retry");
        };
        return JSON.writeValueAsString(answer);
    }

    private APIGatewayV2HTTPResponse invoke(HttpServerRequest request, Buffer body) {
        String path = request.path();
        Front front = fronts.stream()
                .filter(f -> !(f.router().match(request.method().name(), path) instanceof Router.Match.Unknown))
                .findFirst()
                .orElse(fronts.get(0)); // API Gateway answers unknown routes itself; the channels function says 404 alike
        return front.function().apply(toEvent(request, body, front.authorized()));
    }

    private static APIGatewayV2HTTPEvent toEvent(HttpServerRequest request, Buffer body, boolean authorized) {
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().names().forEach(name -> headers.put(name.toLowerCase(), String.join(",", request.headers().getAll(name))));
        Map<String, String> query = new HashMap<>();
        request.params().names().forEach(name -> query.put(name, String.join(",", request.params().getAll(name))));
        String method = request.method().name();
        var context = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method)
                        .withPath(request.path()).withProtocol(request.version().alpnName())
                        .withSourceIp(request.remoteAddress() == null ? "127.0.0.1" : request.remoteAddress().hostAddress())
                        .withUserAgent(headers.get("user-agent")).build())
                .withRequestId(UUID.randomUUID().toString())
                .withRouteKey(method + " " + request.path())
                .withStage("$default")
                .withTimeEpoch(System.currentTimeMillis());
        if (authorized) {
            Map<String, String> claims = claims(headers);
            if (!claims.isEmpty()) {
                context.withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                        .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder().withClaims(claims)
                                .withScopes(null).build())
                        .build());
            }
        }
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(method + " " + request.path())
                .withRawPath(request.path())
                .withRawQueryString(request.query() == null ? "" : request.query())
                .withHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withBody(body.length() == 0 ? null : body.toString(StandardCharsets.UTF_8))
                .withIsBase64Encoded(false)
                .withRequestContext(context.build())
                .build();
    }

    private static Buffer classpathResource(String name) {
        try (InputStream in = LocalHttpFront.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JWT claims API Gateway's authorizer would pass on, from the local stand-ins. */
    private static Map<String, String> claims(Map<String, String> headers) {
        Map<String, String> claims = new LinkedHashMap<>();
        String authorization = headers.get("authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String[] parts = authorization.substring(7).trim().split("\\.");
            if (parts.length >= 2) {
                try {
                    JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                    payload.fields().forEachRemaining(e -> claims.put(e.getKey(),
                            e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
                } catch (Exception unreadable) {
                    LOG.debug("local front: unreadable bearer token ignored");
                }
            }
        }
        String user = headers.get("x-local-user");
        if (user != null && !user.isBlank()) {
            claims.put("sub", user.trim());
        }
        return claims;
    }
}
