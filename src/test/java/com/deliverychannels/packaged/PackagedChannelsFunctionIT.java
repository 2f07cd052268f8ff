package com.deliverychannels.packaged;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.deliverychannels.store.TableLayout;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.aws.SecretsManagerStandIn;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
    private static final String CALLER = "user-alice";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final PackagedProductExtension PACKAGED =
            new PackagedProductExtension("delivery-channels-packaged-channels", "channels");

    private static PackagedProduct product;
    private static PackagedFunction channels;

    @BeforeAll
    static void functions() {
        product = PACKAGED.product();
        channels = PACKAGED.function("channels");
    }

    @Test
    void listsTheThreeChannelOptionsWithMscAsTheDefault() {
        ApiEvents.ApiAnswer answer = http(ApiEvents.get("/v1/channels"));

        assertEquals(200, answer.status(), answer::toString);
        assertTrue(answer.header("content-type").startsWith("application/json"), answer::toString);
        JsonNode options = answer.body().path("channels");
        assertTrue(options.isArray(), answer::toString);
        List<String> types = StreamSupport.stream(options.spliterator(), false)
                .map(option -> option.path("type").asText())
                .toList();
        assertEquals(3, types.size(), answer::toString);
        assertEquals(Set.of("MSC", "GMAIL", "SMTP"), Set.copyOf(types), answer::toString);

        for (JsonNode option : options) {
            String type = option.path("type").asText();
            boolean msc = type.equals("MSC");
            assertFalse(option.path("name").asText().isBlank(), () -> type + " has no name: " + answer);
            assertFalse(option.path("description").asText().isBlank(),
                    () -> type + " has no description: " + answer);
            // Only our own servers are the default, add the "via" tag and see bounces (CONTRACT §1).
            assertBoolean(msc, option, "default", answer);
            assertBoolean(msc, option, "viaTag", answer);
            assertBoolean(msc, option, "bounceTracking", answer);
        }
    }

    @Test
    void keepsIdentitiesInTheTableItsEnvironmentNames() {
        ApiEvents.ApiAnswer created = http(ApiEvents.post("/v1/identities",
                "{\"name\":\"Alice\",\"address\":\"alice@example.com\",\"default\":true}").as(CALLER));

        assertEquals(201, created.status(), created::toString);
        String id = created.body().path("id").asText();
        assertFalse(id.isBlank(), () -> "the new identity has no id: " + created);
        assertEquals("Alice", created.body().path("name").asText(), created::toString);
        assertEquals("alice@example.com", created.body().path("address").asText(), created::toString);
        assertTrue(created.body().path("default").asBoolean(false), created::toString);

        ApiEvents.ApiAnswer listed = http(ApiEvents.get("/v1/identities").as(CALLER));

        assertEquals(200, listed.status(), listed::toString);
        JsonNode identity = StreamSupport.stream(listed.body().path("items").spliterator(), false)
                .filter(item -> item.path("id").asText().equals(id))
                .findFirst()
                .orElse(null);
        assertNotNull(identity, () -> "identity " + id + " is not listed: " + listed);
        assertEquals("alice@example.com", identity.path("address").asText(), listed::toString);
        assertTrue(identity.path("default").asBoolean(false), listed::toString);

        // Straight from DynamoDB: the function wrote to the endpoint and table its environment gave it,
        // not to some default the packaged configuration carries.
        List<String> sortKeys = product.dynamo().query(QueryRequest.builder()
                        .tableName(product.table())
                        .keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", TableLayout.PK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("USER#" + CALLER)))
                        .consistentRead(true)
                        .build())
                .items().stream()
                .map(item -> item.get(TableLayout.SK).s())
                .toList();
        assertTrue(sortKeys.contains("IDENTITY#" + id),
                () -> "no IDENTITY#" + id + " item under USER#" + CALLER + " in " + product.table() + ", found " + sortKeys);
    }

    @Test
    void deletesAnIdentityThatIsNotTheDefault() {
        String user = "user-bob";
        ApiEvents.ApiAnswer first = http(ApiEvents.post("/v1/identities",
                "{\"name\":\"Bob\",\"address\":\"bob@example.com\",\"default\":true}").as(user));
        ApiEvents.ApiAnswer second = http(ApiEvents.post("/v1/identities",
                "{\"name\":\"Bob at work\",\"address\":\"bob@example.org\"}").as(user));
        assertEquals(201, first.status(), first::toString);
        assertEquals(201, second.status(), second::toString);

        ApiEvents.ApiAnswer deleted = http(ApiEvents.delete("/v1/identities/" + second.body().path("id").asText())
                .as(user));

        assertEquals(204, deleted.status(), deleted::toString);
        ApiEvents.ApiAnswer listed = http(ApiEvents.get("/v1/identities").as(user));
        assertEquals(List.of(first.body().path("id").asText()),
                StreamSupport.stream(listed.body().path("items").spliterator(), false)
                        .map(item -> item.path("id").asText()).toList(), listed::toString);
    }

    @Test
    void unknownFunctionNameFailsInitThroughTheRuntimeApi() throws Exception {
        // A function the template does not deploy would have no role: its DynamoDB proxy denies everything.
        try (PackagedFunction nope = PackagedFunction.start("nope", product.environment("nope"))) {
            assertFalse(nope.isReady(), () -> "a function named nope got ready" + nope.describeProcess());
            // The JVM artifact reports the failure to /runtime/init/error (AWS's Java runtime client does);
            // the native bootstrap exits non-zero instead, which Lambda reports as "Runtime exited with error".
            String initError = nope.initError().orElse(null);
            if (initError == null) {
                Optional<Integer> exit = nope.awaitExit(PackagedProduct.TIMEOUT);
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
                            .anyMatch(line -> line.contains("funqy.export") && line.contains("nope")), PackagedProduct.TIMEOUT),
                    () -> "the log does not say which function is missing" + nope.describeProcess());
        }
    }

    @Test
    void aFunctionWhoseRoleMayNotReadItsSecretFailsInitNamingTheCall() throws Exception {
        // The bounces role may read no secret (infra/template.yaml); give it the key ring's ARN anyway.
        // Its own stand-in, so that this deliberate denial is not counted against the template (PolicyCoverageIT).
        String arn = PackagedProduct.SECRET_ARNS.get("CREDENTIALS_KEYS");
        try (SecretsManagerStandIn secrets = SecretsManagerStandIn.start(product.policies().policy("bounces"))) {
            secrets.put(arn, "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
            java.util.Map<String, String> environment = product.environment("bounces");
            environment.remove("CREDENTIALS_KEYS");
            environment.put("CREDENTIALS_KEYS_SECRET_ARN", arn);
            environment.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.endpoint());
            assertStartFailsNaming(arn, environment);
        }
    }

    private static void assertStartFailsNaming(String arn, java.util.Map<String, String> environment)
            throws Exception {
        try (PackagedFunction bounces = PackagedFunction.start("bounces", environment)) {
            assertFalse(bounces.isReady(), () -> "started without its secret" + bounces.describeProcess());
            assertTrue(bounces.awaitOutput(output -> output.lines().anyMatch(line -> line.contains(
                            "configuration fault: secretsmanager:GetSecretValue on secret " + arn)
                            && line.contains("AccessDeniedException")), PackagedProduct.TIMEOUT),
                    () -> "the log does not name the refused call" + bounces.describeProcess());
        }
    }

    @Test
    void readsItsSecretsFromSecretsManagerAtStartUpNotFromItsEnvironment() {
        SecretsManagerStandIn secrets = product.secretsManager("channels");
        assertEquals(1, secrets.getSecretValueCalls(PackagedProduct.SECRET_ARNS.get("CREDENTIALS_KEYS")),
                "read once, at init");
        assertEquals(1, secrets.getSecretValueCalls(PackagedProduct.SECRET_ARNS.get("GMAIL_CLIENT_SECRET")));
        // And the key ring works: SMTP settings are sealed with it.
        ApiEvents.ApiAnswer saved = http(ApiEvents.put("/v1/channel/smtp", """
                {"host":"smtp.example.com","port":587,"security":"STARTTLS","username":"u","password":"p4ss-w0rd",
                 "authMethod":"PLAIN"}""").as("user-" + java.util.UUID.randomUUID()));
        assertEquals(200, saved.status(), saved::toString);
    }

    private static ApiEvents.ApiAnswer http(ApiEvents request) {
        return PackagedProduct.http(channels, request);
    }

    private static void assertBoolean(boolean expected, JsonNode option, String field, ApiEvents.ApiAnswer answer) {
        JsonNode value = option.path(field);
        assertTrue(value.isBoolean(), () -> option.path("type").asText() + "." + field + " is not a boolean: "
                + answer);
        assertEquals(expected, value.booleanValue(), () -> option.path("type").asText() + "." + field + ": " + answer);
    }
}
