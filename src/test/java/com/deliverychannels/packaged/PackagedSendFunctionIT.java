package com.deliverychannels.packaged;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.GmailSmtpResource;
import com.deliverychannels.testing.GoogleTokenEndpoint;
import com.deliverychannels.testing.TestSmtpServer;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The packaged {@code send} function (with {@code channels} to set a user up) sends through each of the three
 * channels for real: our relay (STARTTLS, AUTH, SES headers), Gmail (a refresh grant at Google's token
 * endpoint through the OIDC client, then XOAUTH2 over STARTTLS) and the user's own server (implicit TLS, its
 * certificate checked against the host), and answers bad input with problem+json without writing anything.
 * What runs here is {@code target/function.zip}, JVM or native: TLS, the OIDC client, the mailer and the
 * problem texts must all survive packaging.
 */
class PackagedSendFunctionIT {
    private static final String SMTP_USERNAME = "alice@example.com";
    private static final String SMTP_PASSWORD = "s3cret-Sm7p-pa55";
    private static final Duration MAIL_TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    static final PackagedProductExtension PACKAGED =
            new PackagedProductExtension("delivery-channels-packaged-send", "channels", "send");

    private static PackagedProduct product;
    private static PackagedFunction channels;
    private static PackagedFunction send;

    @BeforeAll
    static void functions() {
        product = PACKAGED.product();
        channels = PACKAGED.function("channels");
        send = PACKAGED.function("send");
    }

    @Test
    void sendsThroughOurRelayWithTheHeadersBouncesAreMatchedBy() {
        String user = userWithIdentity("alice@example.com");
        int before = product.relay().messages().size();

        ApiAnswer answer = send(user, """
                {"to":["bob@example.org"],"cc":["carol@example.org"],"subject":"Hello Bob",
                 "text":"Hi Bob,\\nshall we talk?","html":"<p>Hi Bob,</p>"}""");

        assertEquals(201, answer.status(), answer::toString);
        String deliveryId = answer.body().path("deliveryId").asText();
        assertEquals("SENT", answer.body().path("status").asText(), answer::toString);
        assertEquals("MSC", answer.body().path("channel").asText(), answer::toString);
        List<ReceivedMessage> received = product.relay().awaitMessages(before + 1, MAIL_TIMEOUT);
        ReceivedMessage message = received.get(received.size() - 1);
        assertEquals("bounces@" + PackagedProduct.SENDER_DOMAIN, message.envelopeFrom());
        assertEquals(List.of("bob@example.org", "carol@example.org"), message.recipients());
        assertEquals(deliveryId, message.header("X-Delivery-Id"));
        assertEquals("deliveryId=" + deliveryId, message.header("X-SES-MESSAGE-TAGS"));
        assertEquals(PackagedProduct.CONFIGURATION_SET, message.header("X-SES-CONFIGURATION-SET"));
        assertTrue(message.header("Message-ID").endsWith("@" + PackagedProduct.SENDER_DOMAIN + ">"),
                message.header("Message-ID"));
        assertTrue(message.header("From").contains("alice@example.com"), message.header("From"));

        ApiAnswer read = http(send, ApiEvents.get("/v1/messages/" + deliveryId).as(user));
        assertEquals(200, read.status(), read::toString);
        assertEquals(List.of("ACCEPTED", "SENT"), eventTypes(read.body()), read::toString);
    }

    @Test
    void sendsThroughTheUsersOwnServerOverImplicitTls() {
        try (TestSmtpServer own = TestSmtpServer.implicitTls(SMTP_USERNAME, SMTP_PASSWORD)) {
            String user = userWithIdentity("alice@example.com");
            ApiAnswer saved = http(channels, ApiEvents.put("/v1/channel/smtp", """
                    {"host":"%s","port":%d,"security":"TLS","username":"%s","password":"%s","authMethod":"LOGIN"}"""
                    .formatted(own.host(), own.port(), SMTP_USERNAME, SMTP_PASSWORD)).as(user));
            assertEquals(200, saved.status(), saved::toString);
            assertFalse(saved.rawBody().contains(SMTP_PASSWORD), "the password is never shown: " + saved);
            ApiAnswer verified = http(channels, ApiEvents.post("/v1/channel/smtp/verify", "").as(user));
            assertEquals(200, verified.status(), verified::toString);
            assertTrue(verified.body().path("ok").asBoolean(false), verified::toString);
            assertEquals("DONE", verified.body().path("stage").asText(), verified::toString);
            ApiAnswer activated = http(channels, ApiEvents.put("/v1/channel", "{\"active\":\"SMTP\"}").as(user));
            assertEquals(200, activated.status(), activated::toString);

            ApiAnswer answer = send(user, "{\"to\":[\"bob@example.org\"],\"subject\":\"Own server\",\"text\":\"Hi\"}");

            assertEquals(201, answer.status(), answer::toString);
            assertEquals("SENT", answer.body().path("status").asText(), answer::toString);
            assertEquals("SMTP", answer.body().path("channel").asText(), answer::toString);
            // Two sessions authenticated with the user's password: the verify and the send.
            assertEquals(2, own.authAttempts().stream().filter(TestSmtpServer.AuthAttempt::succeeded).count(),
                    own.authAttempts()::toString);
            ReceivedMessage message = own.awaitMessages(1, MAIL_TIMEOUT).get(0);
            assertEquals("Own server", message.header("Subject"));
            assertEquals(List.of("bob@example.org"), message.recipients());
            assertFalse(send.output().contains(SMTP_PASSWORD), "the password is never logged");
            assertFalse(channels.output().contains(SMTP_PASSWORD), "the password is never logged");
        }
    }

    @Test
    void sendsThroughGmailWithAnAccessTokenFromARefreshGrant() {
        String user = userWithIdentity("alice@example.com");
        String code = "4/0A-" + UUID.randomUUID();
        String refreshToken = "1//0g-" + UUID.randomUUID();
        GoogleTokenEndpoint.stubCodeExchange(code, refreshToken, GmailSmtpResource.ADDRESS);
        GoogleTokenEndpoint.stubRefresh(refreshToken, GmailSmtpResource.ACCEPTED_ACCESS_TOKEN, 3599);
        ApiAnswer connected = http(channels, ApiEvents.post("/v1/channel/gmail",
                "{\"code\":\"" + code + "\",\"redirectUri\":\"https://app.example.com/oauth/google/callback\"}")
                .as(user));
        assertEquals(200, connected.status(), connected::toString);
        assertEquals(GmailSmtpResource.ADDRESS, connected.body().path("gmail").path("address").asText(),
                connected::toString);
        assertFalse(connected.rawBody().contains(refreshToken), "the refresh token is never shown");
        ApiAnswer activated = http(channels, ApiEvents.put("/v1/channel", "{\"active\":\"GMAIL\"}").as(user));
        assertEquals(200, activated.status(), activated::toString);
        int before = product.gmail().messages().size();

        ApiAnswer answer = send(user, "{\"to\":[\"bob@example.org\"],\"subject\":\"Via Gmail\",\"text\":\"Hi\"}");

        assertEquals(201, answer.status(), answer::toString);
        assertEquals("SENT", answer.body().path("status").asText(), answer::toString);
        assertEquals("GMAIL", answer.body().path("channel").asText(), answer::toString);
        List<ReceivedMessage> received = product.gmail().awaitMessages(before + 1, MAIL_TIMEOUT);
        ReceivedMessage message = received.get(received.size() - 1);
        assertEquals("Via Gmail", message.header("Subject"));
        assertTrue(message.header("From").contains(GmailSmtpResource.ADDRESS), message.header("From"));
        assertFalse(GoogleTokenEndpoint.requestsWith("refresh_token", refreshToken).isEmpty(),
                "the send function got its access token with the stored refresh token");
        assertFalse(send.output().contains(refreshToken), "the refresh token is never logged");
    }

    @Test
    void badInputIsAProblemNamingTheFieldsInTheCallersLanguageAndWritesNothing() {
        String user = userWithIdentity("alice@example.com");
        int before = product.relay().messages().size();

        ApiAnswer injected = http(send, ApiEvents.post("/v1/messages",
                        "{\"to\":[\"bob@example.org\"],\"subject\":\"Hi\\r\\nBcc: eve@example.org\",\"text\":\"Hi\"}")
                .as(user).header("accept-language", "fr"));
        ApiAnswer invalid = http(send, ApiEvents.post("/v1/messages",
                        "{\"to\":[\"bob@example.org\",\"not an address\"],\"subject\":\"Hi\",\"text\":\"Hi\"}")
                .as(user).header("accept-language", "fr"));

        assertProblem(400, "subject", injected);
        assertProblem(422, "to[1]", invalid);
        assertEquals(before, product.relay().messages().size(), "nothing was sent");
        assertEquals(List.of(), product.deliveryIdsOf(user), "a refused message leaves no delivery");

        ApiAnswer malformed = http(send, ApiEvents.post("/v1/messages", "{\"to\":").as(user));
        assertEquals(400, malformed.status(), malformed::toString);
        assertTrue(malformed.header("content-type").startsWith("application/problem+json"), malformed::toString);
        assertEquals(List.of(), product.deliveryIdsOf(user), "a malformed body leaves no delivery");
    }

    @Test
    void logsOneJsonObjectALineWithTheRequestIdsAndNeitherSecretsNorBodies() throws Exception {
        String body = "Confidential proposal " + UUID.randomUUID();
        String subject = "Offer " + UUID.randomUUID();
        try (TestSmtpServer own = TestSmtpServer.implicitTls(SMTP_USERNAME, SMTP_PASSWORD)) {
            String user = userWithIdentity("alice@example.com");
            ApiAnswer saved = http(channels, ApiEvents.put("/v1/channel/smtp", """
                    {"host":"%s","port":%d,"security":"TLS","username":"%s","password":"%s","authMethod":"PLAIN"}"""
                    .formatted(own.host(), own.port(), SMTP_USERNAME, SMTP_PASSWORD)).as(user));
            assertEquals(200, saved.status(), saved::toString);
            http(channels, ApiEvents.put("/v1/channel", "{\"active\":\"SMTP\"}").as(user));
            ApiAnswer sent = send(user, "{\"to\":[\"bob@example.org\"],\"subject\":\"" + subject
                    + "\",\"text\":\"" + body + "\"}");
            assertEquals(201, sent.status(), sent::toString);
        }
        for (PackagedFunction function : List.of(channels, send)) {
            List<JsonNode> lines = jsonLines(function.output());
            String all = function.output();
            for (String secret : List.of(SMTP_PASSWORD, body, subject)) {
                assertFalse(all.contains(secret), "never logged: a password, a body or a subject");
            }
            List<JsonNode> access = lines.stream()
                    .filter(line -> line.path("mdc").has("status")).toList();
            assertFalse(access.isEmpty(), "one access line per HTTP request");
            for (JsonNode line : access) {
                JsonNode fields = line.path("mdc");
                assertTrue(fields.path("route").asText().matches("(GET|POST|PUT|DELETE) /v1/.*"), line::toString);
                assertTrue(fields.path("status").asText().matches("\\d{3}"), line::toString);
                assertTrue(fields.path("durationMs").asText().matches("\\d+"), line::toString);
                assertFalse(fields.path("apiRequestId").asText().isBlank(), line::toString);
                if (function.isNative()) {
                    // Quarkus's runtime puts Lambda's request id in the MDC; under AWS's Java runtime client its
                    // JSON log format adds it to every line itself (README "Logs").
                    assertFalse(fields.path("AWSRequestId").asText().isBlank(), line::toString);
                }
            }
        }
    }

    /** Every line a function wrote after the JVM's own notice, each a JSON object. */
    private static List<JsonNode> jsonLines(String output) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.isBlank() || line.startsWith("Picked up JAVA_TOOL_OPTIONS")) {
                continue; // the JVM's own notice on stderr, before any code of ours runs
            }
            JsonNode parsed = json.readTree(line);
            assertTrue(parsed.isObject() && parsed.has("level") && parsed.has("message"), line);
            lines.add(parsed);
        }
        return lines;
    }

    private static void assertProblem(int status, String field, ApiAnswer answer) {
        assertEquals(status, answer.status(), answer::toString);
        assertTrue(answer.header("content-type").startsWith("application/problem+json"), answer::toString);
        List<String> fields = StreamSupport.stream(answer.body().path("errors").spliterator(), false)
                .map(error -> error.path("field").asText())
                .toList();
        assertEquals(List.of(field), fields, answer::toString);
        assertEquals("fr", answer.header("content-language"), answer::toString);
        assertFalse(answer.body().path("title").asText().isBlank(), answer::toString);
        assertFalse(answer.rawBody().contains("Exception"), "no stack trace: " + answer);
    }

    /** A new user with one (default) identity, created through the packaged channels function. */
    private static String userWithIdentity(String address) {
        String user = "user-" + UUID.randomUUID();
        ApiAnswer created = http(channels, ApiEvents.post("/v1/identities",
                "{\"name\":\"Alice Martin\",\"address\":\"" + address + "\",\"default\":true}").as(user));
        assertEquals(201, created.status(), created::toString);
        return user;
    }

    private static ApiAnswer send(String user, String body) {
        return http(send, ApiEvents.post("/v1/messages", body).as(user));
    }

    private static ApiAnswer http(PackagedFunction function, ApiEvents request) {
        return PackagedProduct.http(function, request);
    }

    private static List<String> eventTypes(JsonNode delivery) {
        List<String> types = new ArrayList<>();
        delivery.path("events").forEach(event -> types.add(event.path("type").asText()));
        return types;
    }
}
