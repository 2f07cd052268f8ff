package com.deliverychannels.testing;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Real-shaped API Gateway HTTP API (payload 2.0) events, built from the captured fixture
 * {@code events/http/get-channels.json} with the method, path, caller, headers and body of a scenario,
 * and posted to the function through the mock event server as Lambda would invoke it.
 */
public final class ApiEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** As Funqy reads an event: API Gateway sends fields the event class does not declare. */
    private static final ObjectMapper EVENTS = new ObjectMapper()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final ObjectNode event;

    private ApiEvents(ObjectNode event) {
        this.event = event;
    }

    /** A request by {@code user-alice}, with the fixture's headers. */
    public static ApiEvents request(String method, String pathAndQuery) {
        ObjectNode event = (ObjectNode) fixture("events/http/get-channels.json");
        String path = pathAndQuery;
        String query = "";
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            path = pathAndQuery.substring(0, q);
            query = pathAndQuery.substring(q + 1);
        }
        event.put("rawPath", path);
        event.put("rawQueryString", query);
        event.put("routeKey", method + " " + path);
        ObjectNode context = (ObjectNode) event.get("requestContext");
        context.put("routeKey", method + " " + path);
        ((ObjectNode) context.get("http")).put("method", method).put("path", path);
        if (!query.isEmpty()) {
            ObjectNode params = event.putObject("queryStringParameters");
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
            }
        }
        ((ObjectNode) event.get("headers")).remove("content-length");
        return new ApiEvents(event);
    }

    public static ApiEvents get(String path) {
        return request("GET", path);
    }

    public static ApiEvents post(String path, String body) {
        return request("POST", path).body(body);
    }

    public static ApiEvents put(String path, String body) {
        return request("PUT", path).body(body);
    }

    public static ApiEvents delete(String path) {
        return request("DELETE", path);
    }

    /** The caller's {@code sub} claim. */
    public ApiEvents as(String sub) {
        claims().put("sub", sub);
        return this;
    }

    /** No {@code sub} claim at all (an authorizer misconfigured, or a route without one). */
    public ApiEvents anonymous() {
        claims().remove("sub");
        return this;
    }

    public ApiEvents header(String name, String value) {
        ((ObjectNode) event.get("headers")).put(name.toLowerCase(), value);
        return this;
    }

    public ApiEvents body(String body) {
        event.put("body", body);
        header("content-type", "application/json");
        return this;
    }

    public ApiEvents base64Body(String base64) {
        event.put("body", base64);
        event.put("isBase64Encoded", true);
        return this;
    }

    /** The event as JSON. */
    public String json() {
        return event.toString();
    }

    /**
     * The event as a function takes it, for a test that calls a function bean in-process: the mock event
     * server runs one invocation at a time, so requests that must overlap (as on several Lambda instances) go
     * this way.
     */
    public APIGatewayV2HTTPEvent toEvent() {
        try {
            return EVENTS.readValue(json(), APIGatewayV2HTTPEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A function's answer, read as {@link #answer(String)} reads a serialised one. */
    public static ApiAnswer answer(APIGatewayV2HTTPResponse response) {
        try {
            String body = response.getBody();
            if (body != null && response.getIsBase64Encoded()) {
                body = new String(java.util.Base64.getDecoder().decode(body), java.nio.charset.StandardCharsets.UTF_8);
            }
            JsonNode parsed = body == null ? null : JSON.readTree(body);
            return new ApiAnswer(response.getStatusCode(),
                    response.getHeaders() == null ? Map.of() : new LinkedHashMap<>(response.getHeaders()), body, parsed);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON answer: " + response.getBody(), e);
        }
    }

    /** Invokes the exported function with this event and reads its API Gateway answer. */
    public ApiAnswer send() {
        return answer(given().contentType("application/json").body(json()).when().post("/").then().extract().asString());
    }

    /**
     * An {@code APIGatewayV2HTTPResponse} as a function serialised it, read: the body decoded when it is
     * base64 and parsed when it is JSON.
     */
    public static ApiAnswer answer(String raw) {
        try {
            JsonNode answer = JSON.readTree(raw);
            if (!answer.path("statusCode").isInt()) {
                throw new IllegalArgumentException("not an API Gateway answer: " + raw);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (answer.hasNonNull("headers")) {
                answer.get("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
            }
            String body = answer.hasNonNull("body") ? answer.get("body").asText() : null;
            if (body != null && answer.path("isBase64Encoded").asBoolean(false)) {
                body = new String(java.util.Base64.getDecoder().decode(body), java.nio.charset.StandardCharsets.UTF_8);
            }
            JsonNode parsed = body == null ? null : JSON.readTree(body);
            return new ApiAnswer(answer.get("statusCode").asInt(), headers, body, parsed);
        } catch (IOException e) {
            throw new UncheckedIOException("not an API Gateway answer: " + raw, e);
        }
    }

    /** A file under test resources, as JSON. */
    public static JsonNode fixture(String resource) {
        try (InputStream in = ApiEvents.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode claims() {
        return (ObjectNode) event.get("requestContext").get("authorizer").get("jwt").get("claims");
    }

    private static String decode(String value) {
        return java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What the function answered: status, headers, raw body and the body parsed as JSON. */
    public record ApiAnswer(int status, Map<String, String> headers, String rawBody, JsonNode body) {
        /** The header's value, its name in any case; {@code null} if absent. */
        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(header -> header.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null);
        }
    }
}
