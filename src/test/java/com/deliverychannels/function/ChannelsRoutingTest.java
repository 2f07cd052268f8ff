package com.deliverychannels.function;

import static io.restassured.RestAssured.given;
import static com.deliverychannels.function.StoredItems.itemsOf;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** How the {@code channels} function answers requests it cannot route, authenticate, read or understand. */
@QuarkusTest
class ChannelsRoutingTest {
    private static final String PROBLEM_TYPE = "application/problem+json";
    private static final String VALID_SMTP = json("host", "smtp.example.com", "port", 587, "security", "STARTTLS",
            "username", "bob", "password", "hunter2-secret", "authMethod", "PLAIN");
    private static final String VALID_IDENTITY = json("name", "Bob", "address", "bob@example.com", "default", true);
    private static final String SOME_ID = "01JDZQ7Y6M3V8X2K9T4N5P6R7S";

    @Test
    void unknownRouteAnswers404ProblemJson() {
        ApiAnswer answer = ApiEvents.get("/v1/nothing-here").as(newUser()).send();

        assertProblem(answer, 404, "not-found");
        assertEquals("Not found", answer.body().get("title").asText());
        assertTrue(answer.body().get("detail").asText().contains("/v1/nothing-here"), answer.rawBody());
    }

    @Test
    void pathOfAnotherFunctionIsUnknownHere() {
        ApiAnswer answer = ApiEvents.post("/v1/messages", json("subject", "hi")).as(newUser()).send();

        assertProblem(answer, 404, "not-found");
    }

    @Test
    void wrongMethodOnKnownPathAnswers405WithAllow() {
        ApiAnswer answer = ApiEvents.request("POST", "/v1/channel").as(newUser()).send();

        assertProblem(answer, 405, "method-not-allowed");
        assertEquals(Set.of("GET", "PUT"), methods(answer.header("allow")));
    }

    @Test
    void wrongMethodOnTemplatedPathNamesItsMethods() {
        ApiAnswer answer = ApiEvents.get("/v1/identities/" + SOME_ID).as(newUser()).send();

        assertProblem(answer, 405, "method-not-allowed");
        assertEquals(Set.of("PUT", "DELETE"), methods(answer.header("allow")));
    }

    static Stream<Arguments> everyRoute() {
        return Stream.of(
                Arguments.of("GET", "/v1/channels", null),
                Arguments.of("GET", "/v1/channel", null),
                Arguments.of("PUT", "/v1/channel", json("active", "MSC")),
                Arguments.of("PUT", "/v1/channel/smtp", VALID_SMTP),
                Arguments.of("POST", "/v1/channel/smtp/verify", null),
                Arguments.of("DELETE", "/v1/channel/smtp", null),
                Arguments.of("POST", "/v1/channel/gmail", json("code", "4/abc", "redirectUri", "https://app.example.com/cb")),
                Arguments.of("DELETE", "/v1/channel/gmail", null),
                Arguments.of("GET", "/v1/identities", null),
                Arguments.of("POST", "/v1/identities", VALID_IDENTITY),
                Arguments.of("PUT", "/v1/identities/" + SOME_ID, VALID_IDENTITY),
                Arguments.of("DELETE", "/v1/identities/" + SOME_ID, null),
                Arguments.of("GET", "/v1/failed-deliveries", null),
                Arguments.of("DELETE", "/v1/failed-deliveries/" + SOME_ID, null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyRoute")
    void requestWithoutSubClaimAnswers401(String method, String path, String body) {
        ApiEvents request = ApiEvents.request(method, path).anonymous();
        if (body != null) {
            request.body(body);
        }

        ApiAnswer answer = request.send();

        assertProblem(answer, 401, "unauthenticated");
    }

    @Test
    void blankSubClaimCountsAsNone() {
        ApiAnswer answer = ApiEvents.get("/v1/channel").as("  ").send();

        assertProblem(answer, 401, "unauthenticated");
    }

    @Test
    void malformedJsonAnswers400AndWritesNothing() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", "{\"host\": \"smtp.example.com\", \"port\": ").as(user)
                .send();

        assertProblem(answer, 400, "bad-request");
        assertNoInternals(answer);
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void jsonArrayBodyAnswers400() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.post("/v1/identities", "[" + VALID_IDENTITY + "]").as(user).send();

        assertProblem(answer, 400, "bad-request");
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void missingBodyAnswers400() {
        ApiAnswer answer = ApiEvents.request("PUT", "/v1/channel").as(newUser()).send();

        assertProblem(answer, 400, "bad-request");
    }

    @Test
    void unknownFieldAnswers400NamingIt() {
        String user = newUser();
        String misspelt = json("host", "smtp.example.com", "port", 587, "security", "STARTTLS", "username", "bob",
                "pasword", "hunter2-secret", "authMethod", "PLAIN");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", misspelt).as(user).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals("pasword", answer.body().get("errors").get(0).get("field").asText());
        assertFalse(answer.rawBody().contains("hunter2-secret"), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void wrongTypeAnswers400NamingTheField() {
        String user = newUser();
        String portAsText = json("host", "smtp.example.com", "port", "587", "security", "STARTTLS", "username", "bob",
                "password", "hunter2-secret", "authMethod", "PLAIN");

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", portAsText).as(user).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals("port", answer.body().get("errors").get(0).get("field").asText());
        assertNoInternals(answer);
        assertTrue(itemsOf(user).isEmpty());
    }

    @ParameterizedTest(name = "{0} {1}: {2} = {3}")
    @MethodSource("wrongTypes")
    void wrongTypeOfAnyChannelsFieldAnswers400NamingItAndWritesNothing(String method, String path, String field,
            Object value) {
        String user = newUser();
        Map<String, Object> body = new java.util.LinkedHashMap<>(validBodies().get(path));
        body.put(field, value);
        Object[] pairs = body.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue())).toArray();

        ApiAnswer answer = ApiEvents.request(method, path).as(user).body(json(pairs)).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals(field, answer.body().get("errors").get(0).get("field").asText(), answer.rawBody());
        assertFalse(answer.rawBody().contains("hunter2-secret"), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty(), "nothing written");
    }

    /** CONTRACT §3 "no coercion": every field of every channels request, with values of the other JSON types. */
    static Stream<Arguments> wrongTypes() {
        List<Object> notStrings = List.of(123, 1.5, true, Map.of(), List.of("x"));
        List<Object> notIntegers = List.of("587", "", 587.0, true, Map.of(), List.of(587));
        List<Object> notBooleans = List.of("true", 1, 0, "", Map.of(), List.of(true));
        List<Arguments> cases = new java.util.ArrayList<>();
        Map<String, String> methods = Map.of("/v1/channel", "PUT", "/v1/channel/smtp", "PUT",
                "/v1/identities", "POST", "/v1/channel/gmail", "POST");
        validBodies().forEach((path, body) -> body.keySet().forEach(field -> {
            List<Object> wrong = field.equals("port") ? notIntegers : field.equals("default") ? notBooleans
                    : notStrings;
            wrong.forEach(value -> cases.add(Arguments.of(methods.get(path), path, field, value)));
        }));
        return cases.stream();
    }

    private static Map<String, Map<String, Object>> validBodies() {
        Map<String, Map<String, Object>> bodies = new java.util.LinkedHashMap<>();
        bodies.put("/v1/channel", Map.of("active", "MSC"));
        bodies.put("/v1/channel/smtp", Map.of("host", "smtp.example.com", "port", 587, "security", "STARTTLS",
                "username", "bob", "password", "hunter2-secret", "authMethod", "PLAIN"));
        bodies.put("/v1/identities", Map.of("name", "Bob", "address", "bob@example.com", "default", true));
        bodies.put("/v1/channel/gmail", Map.of("code", "4/0AX4XfWh", "redirectUri", "https://app.example.com/cb"));
        return bodies;
    }

    @Test
    void bodyOver256KiBAnswers413AndWritesNothing() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.post("/v1/identities", bodyOfBytes(256 * 1024 + 1)).as(user).send();

        assertProblem(answer, 413, "payload-too-large");
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void bodyOfExactly256KiBIsRead() {
        // Read and judged on its content (a name far too long), not refused for its size.
        ApiAnswer answer = ApiEvents.post("/v1/identities", bodyOfBytes(256 * 1024)).as(newUser()).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals("name", answer.body().get("errors").get(0).get("field").asText());
    }

    @Test
    void anAnonymousBodyOver256KiBIsRefusedForItsMissingCallerFirst() {
        // As API Gateway's authorizer does in AWS: who is asking comes before what they sent.
        ApiAnswer plain = ApiEvents.post("/v1/identities", bodyOfBytes(256 * 1024 + 1)).anonymous().send();
        ApiAnswer base64 = ApiEvents.request("POST", "/v1/identities").anonymous()
                .header("content-type", "application/json")
                .base64Body(Base64.getEncoder().encodeToString(bodyOfBytes(256 * 1024 + 1)
                        .getBytes(StandardCharsets.UTF_8))).send();

        assertProblem(plain, 401, "unauthenticated");
        assertProblem(base64, 401, "unauthenticated");
    }

    @Test
    void base64BodyOver256KiBAnswers413() {
        String body = bodyOfBytes(256 * 1024 + 1);
        ApiAnswer answer = ApiEvents.request("POST", "/v1/identities").as(newUser())
                .header("content-type", "application/json")
                .base64Body(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8))).send();

        assertProblem(answer, 413, "payload-too-large");
    }

    @Test
    void nonJsonContentTypeAnswers415() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "MSC")).as(user)
                .header("content-type", "text/plain").send();

        assertProblem(answer, 415, "unsupported-media-type");
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void jsonWithCharsetIsAccepted() {
        ApiAnswer answer = ApiEvents.put("/v1/channel", json("active", "MSC")).as(newUser())
                .header("content-type", "application/json; charset=utf-8").send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals("MSC", answer.body().get("active").asText());
    }

    @Test
    void base64EncodedBodyIsDecoded() {
        String user = newUser();
        String body = json("name", "Bòb Rossi", "address", "bob@example.com", "default", true);

        ApiAnswer answer = ApiEvents.request("POST", "/v1/identities").as(user)
                .header("content-type", "application/json")
                .base64Body(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8))).send();

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals("Bòb Rossi", answer.body().get("name").asText());
        JsonNode listed = ApiEvents.get("/v1/identities").as(user).send().body().get("items");
        assertEquals(1, listed.size());
        assertEquals("bob@example.com", listed.get(0).get("address").asText());
    }

    /**
     * RFC 8259 §8.1: JSON is UTF-8. Bytes that are not (a stray continuation byte, a truncated sequence, an
     * overlong form, an encoded surrogate, a code point past U+10FFFF) are refused, never read as U+FFFD.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("notUtf8")
    void base64BodyThatIsNotUtf8Answers400AndWritesNothing(String name, byte[] bad) {
        String user = newUser();
        byte[] before = "{\"name\": \"Bo".getBytes(StandardCharsets.UTF_8);
        byte[] after = "b\", \"address\": \"bob@example.com\"}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[before.length + bad.length + after.length];
        System.arraycopy(before, 0, body, 0, before.length);
        System.arraycopy(bad, 0, body, before.length, bad.length);
        System.arraycopy(after, 0, body, before.length + bad.length, after.length);

        ApiAnswer answer = ApiEvents.request("POST", "/v1/identities").as(user)
                .header("content-type", "application/json")
                .base64Body(Base64.getEncoder().encodeToString(body)).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals("The body is not UTF-8 text.", answer.body().get("detail").asText());
        assertTrue(itemsOf(user).isEmpty());
    }

    static Stream<Arguments> notUtf8() {
        return Stream.of(
                Arguments.of("a lone continuation byte", new byte[] {(byte) 0x80}),
                Arguments.of("a lead byte without its continuation", new byte[] {(byte) 0xC3, 0x28}),
                Arguments.of("a truncated three-byte sequence", new byte[] {(byte) 0xE2, (byte) 0x82}),
                Arguments.of("an overlong slash", new byte[] {(byte) 0xC0, (byte) 0xAF}),
                Arguments.of("an encoded surrogate (CESU-8)", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                Arguments.of("past U+10FFFF", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
                Arguments.of("a byte never in UTF-8", new byte[] {(byte) 0xFF}),
                Arguments.of("Latin-1 é", new byte[] {(byte) 0xE9}));
    }

    @Test
    void base64BodyOfEveryUtf8FormIsRead() {
        String user = newUser();
        String name = "Bò € 日 \uD83E\uDD1D";
        String body = json("name", name, "address", "bob@example.com");

        ApiAnswer answer = ApiEvents.request("POST", "/v1/identities").as(user)
                .header("content-type", "application/json")
                .base64Body(Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8))).send();

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals(name, answer.body().get("name").asText());
    }

    /**
     * A text body (the event's own JSON string) spelling bytes that are not UTF-8 as lone surrogates, as Python's
     * surrogateescape does, is refused before it is read as JSON.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"\\udc80", "\\udce9", "\\ud83d"})
    void textBodyWithALoneSurrogateAnswers400(String escape) {
        String user = newUser();
        String event = ApiEvents.post("/v1/identities", json("name", "BoPLACEHOLDERb", "address", "bob@example.com"))
                .as(user).json().replace("PLACEHOLDER", escape);

        ApiAnswer answer = ApiEvents.answer(given().contentType("application/json").body(event).when().post("/")
                .then().extract().asString());

        assertProblem(answer, 400, "bad-request");
        assertEquals("The body is not UTF-8 text.", answer.body().get("detail").asText(), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    /** The same escape inside the request's own JSON string names the field it spoils. */
    @Test
    void jsonStringWithALoneSurrogateEscapeAnswers400NamingTheField() {
        String user = newUser();
        String body = "{\"name\": \"Bo\\udc80b\", \"address\": \"bob@example.com\"}";

        ApiAnswer answer = ApiEvents.post("/v1/identities", body).as(user).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals("name", answer.body().get("errors").get(0).get("field").asText(), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void invalidBase64BodyAnswers400() {
        ApiAnswer answer = ApiEvents.request("PUT", "/v1/channel").as(newUser())
                .header("content-type", "application/json").base64Body("not base64 at all!").send();

        assertProblem(answer, 400, "bad-request");
    }

    @Test
    void italianCallerGetsItalianProblem() {
        ApiAnswer answer = ApiEvents.get("/v1/nothing-here").as(newUser()).header("accept-language", "it").send();

        assertProblem(answer, 404, "not-found");
        assertEquals("it", answer.header("content-language"));
        assertEquals("Non trovato", answer.body().get("title").asText());
        assertEquals("Il percorso /v1/nothing-here non esiste.", answer.body().get("detail").asText());
    }

    @Test
    void frenchCallerGetsFrenchProblem() {
        ApiAnswer answer = ApiEvents.get("/v1/nothing-here").as(newUser()).header("accept-language", "fr-CH, fr;q=0.9")
                .send();

        assertProblem(answer, 404, "not-found");
        assertEquals("fr", answer.header("content-language"));
        assertEquals("Introuvable", answer.body().get("title").asText());
        assertEquals("Le chemin /v1/nothing-here n'existe pas.", answer.body().get("detail").asText());
    }

    @Test
    void fieldMessagesFollowTheLanguage() {
        ApiAnswer answer = ApiEvents.post("/v1/identities", json("address", "bob@example.com")).as(newUser())
                .header("accept-language", "it").send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals("Campi non validi", answer.body().get("title").asText());
        assertEquals("name", answer.body().get("errors").get(0).get("field").asText());
        assertEquals("Campo obbligatorio.", answer.body().get("errors").get(0).get("message").asText());
    }

    @Test
    void unservedLanguageFallsBackToEnglish() {
        ApiAnswer answer = ApiEvents.get("/v1/nothing-here").as(newUser()).header("accept-language", "de").send();

        assertProblem(answer, 404, "not-found");
        assertEquals("en", answer.header("content-language"));
        assertEquals("Not found", answer.body().get("title").asText());
        assertEquals("There is no route /v1/nothing-here.", answer.body().get("detail").asText());
    }

    @Test
    void channelNamesFollowTheLanguage() {
        Map<String, List<String>> expected = Map.of(
                "it", List.of("I nostri server di posta", "Il tuo account Gmail", "Il tuo server di posta"),
                "fr", List.of("Nos serveurs de messagerie", "Votre compte Gmail", "Votre propre serveur de messagerie"),
                "de", List.of("Our mail servers", "Your Gmail account", "Your own mail server"));
        String english = ApiEvents.get("/v1/channels").as(newUser()).header("accept-language", "en").send().body()
                .get("channels").get(0).get("description").asText();

        expected.forEach((language, names) -> {
            ApiAnswer answer = ApiEvents.get("/v1/channels").as(newUser()).header("accept-language", language).send();
            assertEquals(200, answer.status(), answer.rawBody());
            JsonNode channels = answer.body().get("channels");
            for (int i = 0; i < names.size(); i++) {
                assertEquals(names.get(i), channels.get(i).get("name").asText(), language);
            }
            String description = channels.get(0).get("description").asText();
            assertFalse(description.isBlank());
            assertEquals(language.equals("de"), description.equals(english), language);
        });
    }

    @Test
    void corruptStoredSettingsAnswer500WithoutInternals() {
        String user = newUser();
        StoredItems.put(Map.of("pk", AttributeValue.fromS("USER#" + user), "sk", AttributeValue.fromS("SETTINGS"),
                "active", AttributeValue.fromS("CARRIER_PIGEON"), "version", AttributeValue.fromN("1")));

        ApiAnswer answer = ApiEvents.get("/v1/channel").as(user).send();

        assertProblem(answer, 500, "internal");
        assertNoInternals(answer);
        assertFalse(answer.rawBody().contains("CARRIER_PIGEON"), answer.rawBody());
    }

    @Test
    void badRequestBodiesNameNoParserInternals() {
        List<String> bodies = List.of("{\"active\": MSC}", "{\"active\": \"MSC\"} trailing", "{\"active\": \"MSC\", \"active\": \"SMTP\"}",
                "{\"active\": {\"nested\": true}}", "nul");
        for (String body : bodies) {
            ApiAnswer answer = ApiEvents.put("/v1/channel", body).as(newUser()).send();
            assertProblem(answer, 400, "bad-request");
            assertNoInternals(answer);
        }
    }

    @Test
    void successfulAnswersAreJson() {
        ApiAnswer answer = ApiEvents.get("/v1/channel").as(newUser()).send();

        assertEquals(200, answer.status());
        assertEquals("application/json", answer.header("content-type"));
    }

    /** A JSON identity whose name pads the body to exactly {@code bytes} bytes. */
    private static String bodyOfBytes(int bytes) {
        String prefix = "{\"address\":\"bob@example.com\",\"name\":\"";
        String suffix = "\"}";
        String body = prefix + "a".repeat(bytes - prefix.length() - suffix.length()) + suffix;
        assertEquals(bytes, body.getBytes(StandardCharsets.UTF_8).length);
        return body;
    }

    private static Set<String> methods(String allow) {
        assertNotNull(allow, "405 without allow header");
        return Arrays.stream(allow.split(",")).map(String::trim).collect(Collectors.toSet());
    }

    static void assertProblem(ApiAnswer answer, int status, String typeSlug) {
        assertEquals(status, answer.status(), answer.rawBody());
        assertEquals(PROBLEM_TYPE, answer.header("content-type"), answer.headers().toString());
        JsonNode body = answer.body();
        assertNotNull(body, "problem without body");
        assertEquals("https://delivery-channels.dev/problems/" + typeSlug, body.path("type").asText(), answer.rawBody());
        assertFalse(body.path("title").asText().isBlank(), answer.rawBody());
        assertEquals(status, body.path("status").asInt(), answer.rawBody());
        assertFalse(body.path("detail").asText().isBlank(), answer.rawBody());
    }

    /** No stack frame, exception class or library package leaks into what the caller reads. */
    static void assertNoInternals(ApiAnswer answer) {
        String raw = answer.rawBody();
        for (String leak : List.of("Exception", "exception", "\tat ", "at com.", "at java.", "java.lang", "com.fasterxml",
                "com.deliverychannels", "software.amazon", "jackson", "line: ", "column: ", "[Source:")) {
            assertFalse(raw.contains(leak), "answer leaks '" + leak + "': " + raw);
        }
    }
}
