package com.deliverychannels.function;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.bounce.FailedDeliveryStore;
import com.deliverychannels.bounce.SnsEnvelope;
import com.deliverychannels.bounce.SnsIntake;
import com.deliverychannels.bounce.SnsTestSigner;
import com.deliverychannels.bounce.SuppressionList;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.BouncesFunctionProfile;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.SesFeedback;
import com.deliverychannels.testing.SnsCertificateHost;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The {@code bounces} function end to end, through both roads: SNS → Lambda events and the signed HTTPS
 * webhook (its signing certificate served over https on loopback), against DynamoDB Local.
 */
@QuarkusTest
@TestProfile(BouncesFunctionProfile.class)
class BouncesFunctionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = BouncesFunctionProfile.TOPIC;
    private static SnsCertificateHost certificateHost;

    @Inject
    DeliveryStore deliveries;
    @Inject
    FailedDeliveryStore failedDeliveries;
    @Inject
    SuppressionList suppressions;
    @Inject
    SnsIntake intake;
    @Inject
    com.deliverychannels.http.HttpApi http;
    @Inject
    com.deliverychannels.http.SendRoutes sendRoutes;

    @BeforeAll
    static void serveCertificate() {
        certificateHost = SnsCertificateHost.start();
    }

    @AfterAll
    static void stopCertificateHost() {
        certificateHost.close();
    }

    @Test
    void snsLambdaBounceMarksTheDeliveryRecordsEachRecipientAndSuppressesThem() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com", "jane@example.com");
        String envelope = SnsTestSigner.notification(TOPIC, ses("event-bounce-permanent-two-recipients.json", delivery),
                certUrl(), Instant.now());

        JsonNode summary = invoke(SnsTestSigner.lambdaEvent(envelope));

        assertEquals(1, summary.get("processed").asInt(), summary.toString());
        Delivery bounced = deliveries.find(delivery.deliveryId()).orElseThrow();
        assertEquals(DeliveryStatus.BOUNCED, bounced.status());
        assertEquals("BOUNCED", bounced.events().get(bounced.events().size() - 1).type());
        List<FailedDelivery> records = failedDeliveries.page(delivery.userId(), 100, Optional.empty()).items();
        assertEquals(Set.of("mary@example.com", "richard@example.com"),
                Set.copyOf(records.stream().map(FailedDelivery::recipient).toList()));
        assertTrue(records.stream().allMatch(r -> "Permanent".equals(r.bounceType())
                && r.deliveryId().equals(delivery.deliveryId()) && r.diagnostic() != null));
        assertEquals(Set.of("mary@example.com", "richard@example.com"), suppressions.suppressed(delivery.userId(),
                List.of("mary@example.com", "richard@example.com", "jane@example.com")));
    }

    /**
     * SES dates a bounce when it bounced; SNS may deliver it after a later report. {@code GET /v1/messages/{id}}
     * (the send function's route, called in-process) lists the timeline by time.
     */
    @Test
    void aLateBounceIsListedInTheTimelineAtItsTime() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "jane@example.com");
        Instant sentAt = delivery.events().get(delivery.events().size() - 1).at();
        String delivered = SesFeedback.about("event-delivery.json", delivery, sentAt.plusSeconds(60));
        String bounced = SesFeedback.about("event-bounce-permanent-two-recipients.json", delivery, sentAt.plusSeconds(5));

        invoke(SnsTestSigner.lambdaEvent(SnsTestSigner.notification(TOPIC, delivered, certUrl(), Instant.now())));
        invoke(SnsTestSigner.lambdaEvent(SnsTestSigner.notification(TOPIC, bounced, certUrl(), Instant.now())));

        ApiEvents.ApiAnswer answer = ApiEvents.answer(http.handle(
                ApiEvents.get("/v1/messages/" + delivery.deliveryId()).as(delivery.userId()).toEvent(),
                sendRoutes.router()));
        assertEquals(200, answer.status(), answer.rawBody());
        List<String> types = new java.util.ArrayList<>();
        List<Instant> times = new java.util.ArrayList<>();
        answer.body().get("events").forEach(e -> {
            types.add(e.get("type").asText());
            times.add(Instant.parse(e.get("at").asText()));
        });
        assertEquals(List.of("ACCEPTED", "SENT", "BOUNCED", "DELIVERED"), types, answer.rawBody());
        assertEquals(times.stream().sorted().toList(), times);
        assertEquals(sentAt.plusSeconds(5), times.get(2));
    }

    @Test
    void theSameSnsMessageTwiceIsProcessedOnce() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com", "jane@example.com");
        String envelope = SnsTestSigner.notification(TOPIC, ses("event-bounce-permanent-two-recipients.json", delivery),
                certUrl(), Instant.now());

        invoke(SnsTestSigner.lambdaEvent(envelope));
        JsonNode again = invoke(SnsTestSigner.lambdaEvent(envelope));

        assertEquals(1, again.get("duplicates").asInt(), again.toString());
        assertEquals(2, failedDeliveries.page(delivery.userId(), 100, Optional.empty()).items().size());
        Delivery bounced = deliveries.find(delivery.deliveryId()).orElseThrow();
        assertEquals(1, bounced.events().stream().filter(e -> e.type().equals("BOUNCED")).count());
    }

    @Test
    void twoRacingDeliveriesOfOneSnsMessageProcessItOnce() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com", "jane@example.com");
        String envelope = SnsTestSigner.notification(TOPIC, ses("event-bounce-permanent-two-recipients.json", delivery),
                certUrl(), Instant.now());
        SnsEnvelope record = SnsEnvelope.fromLambdaRecord(
                JSON.readTree(SnsTestSigner.lambdaEvent(envelope)).get("Records").get(0).get("Sns"));
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<String>> outcomes = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            outcomes.add(two.submit(() -> {
                start.await();
                try {
                    SnsIntake.Summary summary = intake.lambda(List.of(record));
                    return summary.processed() == 1 ? "processed" : "duplicate";
                } catch (com.deliverychannels.core.UnavailableException inProgress) {
                    return "in-progress"; // SNS delivers it again later, and then finds it done
                }
            }));
        }
        start.countDown();
        List<String> results = new java.util.ArrayList<>();
        for (java.util.concurrent.Future<String> outcome : outcomes) {
            results.add(outcome.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        two.shutdown();

        assertEquals(1, results.stream().filter("processed"::equals).count(), results.toString());
        assertEquals(2, failedDeliveries.page(delivery.userId(), 100, Optional.empty()).items().size());
        Delivery bounced = deliveries.find(delivery.deliveryId()).orElseThrow();
        assertEquals(1, bounced.events().stream().filter(e -> e.type().equals("BOUNCED")).count());
        assertEquals(1, intake.lambda(List.of(record)).duplicates(), "a later redelivery finds it done");
    }

    @Test
    void signedWebhookComplaintIsAcceptedAndSuppresses() throws Exception {
        Delivery delivery = sentDelivery("richard@example.com");
        String envelope = SnsTestSigner.notification(TOPIC, ses("event-complaint.json", delivery), certUrl(),
                Instant.now());

        ApiEvents.ApiAnswer answer = webhook(envelope);

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals(DeliveryStatus.COMPLAINED, deliveries.find(delivery.deliveryId()).orElseThrow().status());
        assertEquals(Set.of("richard@example.com"),
                suppressions.suppressed(delivery.userId(), List.of("richard@example.com")));
    }

    @Test
    void deliveryReportMarksTheDeliveryDelivered() throws Exception {
        Delivery delivery = sentDelivery("recipient@example.com");
        String message = ses("event-delivery.json", delivery);

        assertEquals(200, webhook(SnsTestSigner.notification(TOPIC, message, certUrl(), Instant.now())).status());

        assertEquals(DeliveryStatus.DELIVERED, deliveries.find(delivery.deliveryId()).orElseThrow().status());
        assertTrue(failedDeliveries.page(delivery.userId(), 10, Optional.empty()).items().isEmpty());
    }

    @Test
    void refusesAForgedSignatureAndWritesNothing() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com");
        ObjectNode envelope = (ObjectNode) JSON.readTree(SnsTestSigner.notification(TOPIC,
                ses("event-bounce-permanent-two-recipients.json", delivery), certUrl(), Instant.now()));
        envelope.put("Message", envelope.get("Message").asText().replace("mary@", "mallory@"));

        assertEquals(403, webhook(envelope.toString()).status());
        assertUntouched(delivery);
    }

    @Test
    void refusesATopicNotInTheAllowListEvenWhenProperlySigned() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com");
        String envelope = SnsTestSigner.notification("arn:aws:sns:eu-west-1:666666666666:attacker",
                ses("event-bounce-permanent-two-recipients.json", delivery), certUrl(), Instant.now());

        assertEquals(403, webhook(envelope).status());
        assertUntouched(delivery);
    }

    @Test
    void refusesAStaleMessage() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com");
        String envelope = SnsTestSigner.notification(TOPIC, ses("event-bounce-permanent-two-recipients.json", delivery),
                certUrl(), Instant.now().minusSeconds(3_700));

        ApiEvents.ApiAnswer answer = webhook(envelope);
        assertEquals(403, answer.status());
        assertEquals("The SNS message is more than an hour old.", answer.body().get("detail").asText());
        assertUntouched(delivery);
    }

    @Test
    void refusesAMessageDatedInTheFutureSayingSo() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com");
        String envelope = SnsTestSigner.notification(TOPIC, ses("event-bounce-permanent-two-recipients.json", delivery),
                certUrl(), Instant.now().plusSeconds(3_700));

        ApiEvents.ApiAnswer answer = webhook(envelope);

        assertEquals(403, answer.status());
        assertEquals("The SNS message is dated more than 15 minutes in the future.",
                answer.body().get("detail").asText());
        assertUntouched(delivery);
    }

    @Test
    void refusesACertificateUrlOffTheAllowedHostsWithoutFetchingIt() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com");
        String envelope = SnsTestSigner.notification(TOPIC, ses("event-bounce-permanent-two-recipients.json", delivery),
                certUrl().replaceFirst("^https:", "http:"), Instant.now());

        assertEquals(403, webhook(envelope).status());
        assertUntouched(delivery);
    }

    @Test
    void answersMalformedEnvelopesAndPayloadsWith400() {
        assertEquals(400, webhook("not json at all").status());
        assertEquals(400, webhook("{\"Type\":\"Notification\"}").status());
        String notSes = SnsTestSigner.notification(TOPIC, "this is not JSON", certUrl(), Instant.now());
        assertEquals(400, webhook(notSes).status());
    }

    @Test
    void acknowledgesANotificationThatMatchesNoDelivery() throws Exception {
        String message = new String(getClass().getResourceAsStream("/fixtures/ses/event-bounce-permanent-two-recipients.json")
                .readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(200, webhook(SnsTestSigner.notification(TOPIC, message, certUrl(), Instant.now())).status());
    }

    @Test
    void confirmsASubscriptionByVisitingTheSignedSubscribeUrl() {
        String token = UUID.randomUUID().toString();
        String subscribeUrl = certificateHost.subscribeUrl(token);
        String envelope = SnsTestSigner.subscriptionConfirmation(TOPIC, subscribeUrl, certUrl(), Instant.now());

        assertEquals(200, webhook(envelope).status());
        assertTrue(certificateHost.confirmations().contains("token=" + token), certificateHost.confirmations().toString());
    }

    @Test
    void refusesASubscribeUrlOnAnotherHost() {
        String envelope = SnsTestSigner.subscriptionConfirmation(TOPIC, "https://evil.example/confirm?x=1", certUrl(),
                Instant.now());

        assertEquals(403, webhook(envelope).status());
    }

    @Test
    void refusesLambdaRecordsFromAForeignTopic() throws Exception {
        Delivery delivery = sentDelivery("mary@example.com", "richard@example.com");
        String envelope = SnsTestSigner.notification("arn:aws:sns:eu-west-1:666666666666:attacker",
                ses("event-bounce-permanent-two-recipients.json", delivery), certUrl(), Instant.now());

        int status = given().contentType("application/json").body(SnsTestSigner.lambdaEvent(envelope))
                .post("/").statusCode();

        assertNotEquals(200, status);
        assertUntouched(delivery);
    }

    private void assertUntouched(Delivery delivery) {
        assertEquals(DeliveryStatus.SENT, deliveries.find(delivery.deliveryId()).orElseThrow().status());
        assertTrue(failedDeliveries.page(delivery.userId(), 10, Optional.empty()).items().isEmpty());
        assertTrue(suppressions.suppressed(delivery.userId(), delivery.recipients()).isEmpty());
    }

    private Delivery sentDelivery(String... recipients) {
        Delivery delivery = DeliveryFixtures.sent(recipients);
        assertTrue(deliveries.create(delivery, Optional.empty()));
        return delivery;
    }

    private static String ses(String fixture, Delivery delivery) {
        return SesFeedback.about(fixture, delivery);
    }

    private static String certUrl() {
        return certificateHost.certUrl();
    }

    private static JsonNode invoke(String event) throws IOException {
        return JSON.readTree(given().contentType("application/json").body(event).post("/").then().statusCode(200)
                .extract().asString());
    }

    private static ApiEvents.ApiAnswer webhook(String envelope) {
        return ApiEvents.request("POST", "/v1/webhooks/ses").anonymous()
                .header("content-type", "text/plain; charset=UTF-8")
                .header("x-amz-sns-message-type", "Notification")
                .body(envelope).header("content-type", "text/plain; charset=UTF-8").send();
    }
}
