package com.deliverychannels.packaged;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.deliverychannels.bounce.SnsTestSigner;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.SesFeedback;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The packaged {@code bounces} function takes SES feedback by both roads, as AWS delivers it: an SNS → Lambda
 * event, and the signed HTTPS webhook whose signing certificate it fetches over TLS (from SNS's host, here on
 * loopback) and verifies. The feedback lands where users see it: the packaged {@code channels} function lists
 * the failed deliveries. Forged or foreign envelopes are refused and change nothing.
 */
class PackagedBouncesFunctionIT {
    private static final String BOUNCE = "event-bounce-permanent-two-recipients.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final PackagedProductExtension PACKAGED =
            new PackagedProductExtension("delivery-channels-packaged-bounces", "bounces", "channels");

    private static PackagedProduct product;
    private static PackagedFunction bounces;
    private static PackagedFunction channels;

    @BeforeAll
    static void functions() {
        product = PACKAGED.product();
        bounces = PACKAGED.function("bounces");
        channels = PACKAGED.function("channels");
    }

    @Test
    void anSnsEventBouncesTheDeliveryAndTheUserSeesEachFailedRecipient() {
        Delivery delivery = sent("mary@example.com", "richard@example.com", "jane@example.com");
        String envelope = SnsTestSigner.notification(PackagedProduct.TOPIC, SesFeedback.about(BOUNCE, delivery),
                product.certificates().certUrl(), Instant.now());

        JsonNode summary = PackagedProduct.invoke(bounces, SnsTestSigner.lambdaEvent(envelope));

        assertEquals(1, summary.path("processed").asInt(), summary::toString);
        assertEquals(DeliveryStatus.BOUNCED, stored(delivery).status());
        ApiAnswer failed = PackagedProduct.http(channels, ApiEvents.get("/v1/failed-deliveries").as(delivery.userId()));
        assertEquals(200, failed.status(), failed::toString);
        List<JsonNode> items = StreamSupport.stream(failed.body().path("items").spliterator(), false).toList();
        assertEquals(Set.of("mary@example.com", "richard@example.com"),
                Set.copyOf(items.stream().map(item -> item.path("recipient").asText()).toList()), failed::toString);
        assertTrue(items.stream().allMatch(item -> item.path("reason").asText().equals("BOUNCE")
                && item.path("deliveryId").asText().equals(delivery.deliveryId())), failed::toString);

        JsonNode again = PackagedProduct.invoke(bounces, SnsTestSigner.lambdaEvent(envelope));
        ApiAnswer listedAgain = PackagedProduct.http(channels,
                ApiEvents.get("/v1/failed-deliveries").as(delivery.userId()));
        assertEquals(2, listedAgain.body().path("items").size(), "the same SNS message twice counts once: " + again);
    }

    @Test
    void theUserDismissesOneFailedRecipientAndTheOtherStaysListed() {
        Delivery delivery = sent("mary@example.com", "richard@example.com");
        String envelope = SnsTestSigner.notification(PackagedProduct.TOPIC, SesFeedback.about(BOUNCE, delivery),
                product.certificates().certUrl(), Instant.now());
        PackagedProduct.invoke(bounces, SnsTestSigner.lambdaEvent(envelope));
        List<JsonNode> listed = failedDeliveries(delivery);
        assertEquals(2, listed.size(), listed::toString);

        ApiAnswer dismissed = PackagedProduct.http(channels, ApiEvents.delete("/v1/failed-deliveries/"
                + listed.get(0).path("id").asText()).as(delivery.userId()));

        assertEquals(204, dismissed.status(), dismissed::toString);
        assertEquals(List.of(listed.get(1).path("id").asText()),
                failedDeliveries(delivery).stream().map(item -> item.path("id").asText()).toList());
    }

    @Test
    void feedbackWithoutOurTagOrHeaderIsMatchedByTheSesMessageIdRecordedAtSendTime() {
        String sesMessageId = "0102019" + UUID.randomUUID().toString().replace("-", "") + "-000000";
        Delivery delivery = withSesMessageId(DeliveryFixtures.sent("mary@example.com", "richard@example.com"),
                sesMessageId);
        assertTrue(product.deliveries().create(delivery, Optional.empty()));
        String envelope = SnsTestSigner.notification(PackagedProduct.TOPIC,
                SesFeedback.aboutSesMessage(BOUNCE, sesMessageId), product.certificates().certUrl(), Instant.now());

        JsonNode summary = PackagedProduct.invoke(bounces, SnsTestSigner.lambdaEvent(envelope));

        assertEquals(1, summary.path("processed").asInt(), summary::toString);
        assertEquals(DeliveryStatus.BOUNCED, stored(delivery).status());
    }

    @Test
    void aSignedMessageThatIsNoSesNotificationIsRefusedEachTimeSnsRedeliversIt() {
        String envelope = SnsTestSigner.notification(PackagedProduct.TOPIC, "this is not an SES notification",
                product.certificates().certUrl(), Instant.now());

        ApiAnswer first = webhook(envelope);
        // SNS redelivers what was refused: the claim on the message was given back, so it is refused again for
        // what it is, not answered as a message still being processed (503).
        ApiAnswer redelivered = webhook(envelope);

        assertEquals(400, first.status(), first::toString);
        assertEquals(400, redelivered.status(), redelivered::toString);
    }

    @Test
    void aSignedWebhookComplaintIsVerifiedAgainstTheFetchedCertificateAndAccepted() {
        Delivery delivery = sent("richard@example.com");
        String envelope = SnsTestSigner.notification(PackagedProduct.TOPIC,
                SesFeedback.about("event-complaint.json", delivery), product.certificates().certUrl(), Instant.now());

        ApiAnswer answer = webhook(envelope);

        assertEquals(200, answer.status(), answer::toString);
        assertEquals(DeliveryStatus.COMPLAINED, stored(delivery).status());
    }

    @Test
    void confirmsASubscriptionByFetchingTheSignedSubscribeUrl() {
        String token = UUID.randomUUID().toString();
        String envelope = SnsTestSigner.subscriptionConfirmation(PackagedProduct.TOPIC,
                product.certificates().subscribeUrl(token), product.certificates().certUrl(), Instant.now());

        ApiAnswer answer = webhook(envelope);

        assertEquals(200, answer.status(), answer::toString);
        assertTrue(product.certificates().confirmations().contains("token=" + token),
                product.certificates().confirmations()::toString);
    }

    @Test
    void aForgedOrForeignEnvelopeIsRefusedAndChangesNothing() {
        Delivery delivery = sent("mary@example.com", "richard@example.com");
        String signed = SnsTestSigner.notification(PackagedProduct.TOPIC, SesFeedback.about(BOUNCE, delivery),
                product.certificates().certUrl(), Instant.now());
        String forged = withField(signed, "Message", SesFeedback.about("event-complaint.json", delivery));
        String foreign = SnsTestSigner.notification("arn:aws:sns:eu-west-1:999999999999:someone-else",
                SesFeedback.about(BOUNCE, delivery), product.certificates().certUrl(), Instant.now());
        String stale = SnsTestSigner.notification(PackagedProduct.TOPIC, SesFeedback.about(BOUNCE, delivery),
                product.certificates().certUrl(), Instant.now().minusSeconds(3_700));

        for (String envelope : List.of(forged, foreign, stale)) {
            ApiAnswer answer = webhook(envelope);
            assertEquals(403, answer.status(), answer::toString);
            assertTrue(answer.header("content-type").startsWith("application/problem+json"), answer::toString);
        }
        ApiAnswer malformed = webhook("{\"Type\":");
        assertEquals(400, malformed.status(), malformed::toString);
        assertEquals(DeliveryStatus.SENT, stored(delivery).status());
        ApiAnswer failed = PackagedProduct.http(channels, ApiEvents.get("/v1/failed-deliveries").as(delivery.userId()));
        assertEquals(0, failed.body().path("items").size(), failed::toString);
    }

    private static List<JsonNode> failedDeliveries(Delivery delivery) {
        ApiAnswer failed = PackagedProduct.http(channels, ApiEvents.get("/v1/failed-deliveries").as(delivery.userId()));
        assertEquals(200, failed.status(), failed::toString);
        return StreamSupport.stream(failed.body().path("items").spliterator(), false).toList();
    }

    /** {@code delivery} as the send function records it when SES took the message and named its id. */
    private static Delivery withSesMessageId(Delivery d, String sesMessageId) {
        return new Delivery(d.deliveryId(), d.userId(), d.status(), d.channel(), d.identityId(), d.fromName(),
                d.fromAddress(), d.to(), d.cc(), d.bcc(), d.replyTo(), d.subject(), d.text(), d.html(),
                d.conversationId(), d.viaTag(), d.bounceTracking(), d.attempts(), d.nextAttemptAt(), d.lastError(),
                d.events(), d.createdAt(), d.messageId(), sesMessageId, d.version());
    }

    private static Delivery sent(String... recipients) {
        Delivery delivery = DeliveryFixtures.sent(recipients);
        assertTrue(product.deliveries().create(delivery, Optional.empty()));
        return delivery;
    }

    /** The envelope with one field changed after it was signed. */
    private static String withField(String envelope, String field, String value) {
        try {
            ObjectNode changed = (ObjectNode) JSON.readTree(envelope);
            assertTrue(changed.has(field), envelope);
            return changed.put(field, value).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Delivery stored(Delivery delivery) {
        return product.deliveries().find(delivery.deliveryId()).orElseThrow();
    }

    private static ApiAnswer webhook(String envelope) {
        return PackagedProduct.http(bounces, ApiEvents.post("/v1/webhooks/ses", envelope).anonymous()
                .header("content-type", "text/plain; charset=UTF-8")
                .header("x-amz-sns-message-type", "Notification"));
    }
}
