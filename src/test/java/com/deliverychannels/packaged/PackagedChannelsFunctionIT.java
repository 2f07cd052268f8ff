package com.deliverychannels.packaged;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import com.deliverychannels.local.EmbeddedDynamoDb;
import com.deliverychannels.store.TableLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * The packaged {@code target/function.zip}, run the way AWS's managed Java runtime runs it (the runtime
 * interface client, an empty environment plus Lambda's variables and the product's configuration), answers
 * the {@code channels} routes through a Lambda Runtime API on loopback, and keeps its data in the DynamoDB
 * table its environment names. This is the check that the artifact, not just the code, works: a class or
 * resource missing from the zip, a setting only the test profile supplies, or a build-time property that
 * should be a run-time one fails here.
 */
class PackagedChannelsFunctionIT {
    /** Generous: a cold JVM start here takes a few seconds, slower on a loaded CI machine. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    private static final String TABLE = "delivery-channels-packaged-it";
    private static final String CALLER = "user-alice";
    private static final String GET_CHANNELS_EVENT = "/events/http/get-channels.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedDynamoDb dynamoDbLocal;
    private static DynamoDbClient dynamo;
    private static PackagedFunction channels;

    /** The function runs in another process; on a failure its log is the first thing to read. */
    @RegisterExtension
    static final TestWatcher PRINT_FUNCTION_OUTPUT_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (channels != null) {
                System.out.println(channels.describeProcess());
            }
        }
    };

    @BeforeAll
    static void startTableAndFunction() {
        dynamoDbLocal = EmbeddedDynamoDb.start(freeLoopbackPort());
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(dynamoDbLocal.endpoint()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        // The functions never create the table (in AWS the template does); the table must exist first.
        TableLayout.createIfAbsent(dynamo, TABLE);

        channels = PackagedFunction.start("channels", productEnvironment());
        assertTrue(channels.isReady(),
                () -> "the packaged channels function did not get ready" + channels.describeProcess());
    }

    @AfterAll
    static void stopFunctionAndTable() {
        if (channels != null) {
            channels.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
        if (dynamoDbLocal != null) {
            dynamoDbLocal.close();
        }
    }

    @Test
    void listsTheThreeChannelOptionsWithMscAsTheDefault() {
        HttpAnswer answer = invoke(fixture());

        assertEquals(200, answer.statusCode(), answer::describe);
        assertTrue(answer.header("content-type").startsWith("application/json"), answer::describe);
        JsonNode options = answer.body().path("channels");
        assertTrue(options.isArray(), answer::describe);
        List<String> types = StreamSupport.stream(options.spliterator(), false)
                .map(option -> option.path("type").asText())
                .toList();
        assertEquals(3, types.size(), answer::describe);
        assertEquals(Set.of("MSC", "GMAIL", "SMTP"), Set.copyOf(types), answer::describe);

        for (JsonNode option : options) {
            String type = option.path("type").asText();
            boolean msc = type.equals("MSC");
            assertFalse(option.path("name").asText().isBlank(), () -> type + " has no name: " + answer.describe());
            assertFalse(option.path("description").asText().isBlank(),
                    () -> type + " has no description: " + answer.describe());
            // Only our own servers are the default, add the "via" tag and see bounces (CONTRACT §1).
            assertBoolean(msc, option, "default", answer);
            assertBoolean(msc, option, "viaTag", answer);
            assertBoolean(msc, option, "bounceTracking", answer);
        }
    }

    @Test
    void keepsIdentitiesInTheTableItsEnvironmentNames() {
        HttpAnswer created = invoke(httpEvent("POST", "/v1/identities",
                "{\"name\":\"Alice\",\"address\":\"alice@example.com\",\"default\":true}"));

        assertEquals(201, created.statusCode(), created::describe);
        String id = created.body().path("id").asText();
        assertFalse(id.isBlank(), () -> "the new identity has no id: " + created.describe());
        assertEquals("Alice", created.body().path("name").asText(), created::describe);
        assertEquals("alice@example.com", created.body().path("address").asText(), created::describe);
        assertTrue(created.body().path("default").asBoolean(false), created::describe);

        HttpAnswer listed = invoke(httpEvent("GET", "/v1/identities", null));

        assertEquals(200, listed.statusCode(), listed::describe);
        JsonNode identity = StreamSupport.stream(listed.body().path("items").spliterator(), false)
                .filter(item -> item.path("id").asText().equals(id))
                .findFirst()
                .orElse(null);
        assertNotNull(identity, () -> "identity " + id + " is not listed: " + listed.describe());
        assertEquals("alice@example.com", identity.path("address").asText(), listed::describe);
        assertTrue(identity.path("default").asBoolean(false), listed::describe);

        // Straight from DynamoDB: the function wrote to the endpoint and table its environment gave it,
        // not to some default the packaged configuration carries.
        List<String> sortKeys = dynamo.query(QueryRequest.builder()
                        .tableName(TABLE)
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", TableLayout.PK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("USER#" + CALLER)))
                        .consistentRead(true)
                        .build())
                .items().stream()
                .map(item -> item.get(TableLayout.SK).s())
                .toList();
        assertTrue(sortKeys.contains("IDENTITY#" + id),
                () -> "no IDENTITY#" + id + " item under USER#" + CALLER + " in " + TABLE + ", found " + sortKeys);
    }

    @Test
    void unknownFunctionNameFailsInitThroughTheRuntimeApi() throws Exception {
        try (PackagedFunction nope = PackagedFunction.start("nope", productEnvironment())) {
            assertFalse(nope.isReady(), () -> "a function named nope got ready" + nope.describeProcess());
            // The JVM artifact reports the failure to /runtime/init/error (AWS's Java runtime client does);
            // the native bootstrap exits non-zero instead, which Lambda reports as "Runtime exited with error".
            String initError = nope.initError().orElse(null);
            if (initError == null) {
                Optional<Integer> exit = nope.awaitExit(ANSWER_TIMEOUT);
                assertTrue(exit.isPresent() && exit.get() != 0,
                        () -> "neither an init error nor a failed exit" + nope.describeProcess());
            } else {
                JsonNode error = JSON.readTree(initError);
                assertFalse(error.path("errorMessage").asText().isBlank(),
                        () -> "the init error says nothing: " + initError + nope.describeProcess());
            }
            // The posted error is generic ("Quarkus manual initialization failed"); the operator finds the
            // cause in the function's log, which must name the setting and the function that does not exist.
            assertTrue(nope.awaitOutput(output -> output.lines()
                            .anyMatch(line -> line.contains("funqy.export") && line.contains("nope")), ANSWER_TIMEOUT),
                    () -> "the log does not say which function is missing" + nope.describeProcess());
        }
    }

    /**
     * The product's own configuration, by the environment variables of CONTRACT §4 only: nothing of the
     * test profile reaches the packaged function.
     */
    private static Map<String, String> productEnvironment() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DELIVERY_TABLE", TABLE);
        environment.put("QUARKUS_DYNAMODB_ENDPOINT_OVERRIDE", dynamoDbLocal.endpoint());
        environment.put("QUARKUS_DYNAMODB_AWS_REGION", "eu-west-1");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_TYPE", "static");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", "test");
        environment.put("QUARKUS_DYNAMODB_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", "test");
        environment.put("CREDENTIALS_KEYS", "it-1:" + Base64.getEncoder().encodeToString(key));
        environment.put("SMTP_ALLOW_PRIVATE_HOSTS", "true");
        return environment;
    }

    private static HttpAnswer invoke(String event) {
        String raw = channels.invoke(event, ANSWER_TIMEOUT);
        try {
            JsonNode response = JSON.readTree(raw);
            String body = response.path("body").asText("");
            if (response.path("isBase64Encoded").asBoolean(false)) {
                body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
            }
            Map<String, String> headers = new HashMap<>();
            response.path("headers").fields().forEachRemaining(header ->
                    headers.put(header.getKey().toLowerCase(Locale.ROOT), header.getValue().asText()));
            JsonNode parsedBody = body.isBlank() ? JSON.missingNode() : JSON.readTree(body);
            return new HttpAnswer(response.path("statusCode").asInt(), headers, parsedBody, raw);
        } catch (IOException e) {
            throw new AssertionError("the function's answer is not the expected JSON: " + raw, e);
        }
    }

    /** The API Gateway fixture, {@code GET /v1/channels} by {@code user-alice}. */
    private static String fixture() {
        try (InputStream in = PackagedChannelsFunctionIT.class.getResourceAsStream(GET_CHANNELS_EVENT)) {
            assertNotNull(in, GET_CHANNELS_EVENT + " is missing from the test resources");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The fixture turned into another route of the same caller, changed where API Gateway would put the
     * method, path and body.
     */
    private static String httpEvent(String method, String path, String jsonBody) {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(fixture());
            String routeKey = method + " " + path;
            event.put("routeKey", routeKey);
            event.put("rawPath", path);
            ObjectNode requestContext = (ObjectNode) event.get("requestContext");
            requestContext.put("routeKey", routeKey);
            ((ObjectNode) requestContext.get("http")).put("method", method).put("path", path);
            ObjectNode headers = (ObjectNode) event.get("headers");
            if (jsonBody == null) {
                event.remove("body");
                headers.put("content-length", "0");
            } else {
                event.put("body", jsonBody);
                headers.put("content-type", "application/json");
                headers.put("content-length", Integer.toString(jsonBody.getBytes(StandardCharsets.UTF_8).length));
            }
            return JSON.writeValueAsString(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertBoolean(boolean expected, JsonNode option, String field, HttpAnswer answer) {
        JsonNode value = option.path(field);
        assertTrue(value.isBoolean(), () -> option.path("type").asText() + "." + field + " is not a boolean: "
                + answer.describe());
        assertEquals(expected, value.booleanValue(),
                () -> option.path("type").asText() + "." + field + ": " + answer.describe());
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An {@code APIGatewayV2HTTPResponse} as the function serialised it, its body parsed. */
    private record HttpAnswer(int statusCode, Map<String, String> headers, JsonNode body, String raw) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }

        String describe() {
            return "answer " + raw;
        }
    }
}
