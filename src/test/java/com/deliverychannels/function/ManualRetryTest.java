package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static com.deliverychannels.function.SendFixtures.deliveryItem;
import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.SendFixtures.useSmtp;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.core.SortableId;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryEvent;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.ScriptedSmtpServer;
import com.deliverychannels.testing.SendFunctionProfile;
import com.deliverychannels.testing.TestSmtpServer.ReceivedMessage;

import io.quarkus.arc.Arc;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code POST /v1/messages/{id}/retry} (CONTRACT §3 {@code send}): a user tries a failed delivery again, at once
 * and on the channel they have now; anything but a failed delivery of theirs that still has its content is
 * refused.
 */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class ManualRetryTest {
    private static final String ADDRESS = "alice@example.com";
    private static final String LAST_ERROR = "550 5.1.1 <bob@example.org>: Recipient address rejected";

    @Inject
    DeliveryStore deliveries;

    @Test
    void aFailedDeliveryIsSentAgainThroughOurRelay() {
        String user = userWithIdentity();
        Delivery failed = seed(failed(user, true));

        ApiAnswer answer = retry(user, failed.deliveryId());

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals(failed.deliveryId(), answer.body().get("deliveryId").asText());
        assertEquals("SENT", answer.body().get("status").asText(), answer.rawBody());
        assertEquals("MSC", answer.body().get("channel").asText());
        assertEquals(failed.attempts() + 1, answer.body().get("attempts").asInt());
        assertFalse(answer.body().hasNonNull("nextAttemptAt"), answer.rawBody());
        assertEquals(List.of("ACCEPTED", "FAILED", "SENT"), SendFixtures.eventTypes(answer.body()));
        assertFalse(answer.rawBody().contains("\"text\""), "the body is never echoed");

        List<ReceivedMessage> copies = relayed(failed.deliveryId());
        assertEquals(1, copies.size(), "one copy through our relay");
        assertEquals(failed.subject(), copies.get(0).header("Subject"));
        assertEquals(failed.recipients(), copies.get(0).recipients());

        Delivery stored = deliveries.find(failed.deliveryId()).orElseThrow();
        assertEquals(DeliveryStatus.SENT, stored.status());
        assertFalse(stored.hasContent(), "the content is dropped once sent");
        assertNull(deliveryItem(failed.deliveryId()).get("gsi1pk"), "nothing left for the sweep");

        ApiAnswer read = ApiEvents.get("/v1/messages/" + failed.deliveryId()).as(user).send();
        assertEquals("SENT", read.body().get("status").asText(), read.rawBody());
    }

    @Test
    void aSentDeliveryCannotBeRetried() {
        String user = userWithIdentity();
        Delivery sent = seed(withStatus(failed(user, false), DeliveryStatus.SENT, null));

        assertRefused(user, sent, 409, "conflict");
    }

    @Test
    void aDeliveryWaitingForItsRetryCannotBeRetriedByHand() {
        String user = userWithIdentity();
        Delivery scheduled = seed(withStatus(failed(user, true), DeliveryStatus.RETRY_SCHEDULED,
                Instant.now().plus(Duration.ofMinutes(30))));

        assertRefused(user, scheduled, 409, "conflict");
    }

    @Test
    void aFailedDeliveryWhoseContentIsGoneCannotBeRetried() {
        String user = userWithIdentity();
        Delivery contentless = seed(failed(user, false));

        assertRefused(user, contentless, 409, "conflict");
    }

    @Test
    void anotherUsersDeliveryIsNotFound() {
        String owner = userWithIdentity();
        Delivery failed = seed(failed(owner, true));
        String someoneElse = userWithIdentity();

        assertRefused(someoneElse, failed, 404, "not-found");
    }

    @Test
    void anUnknownDeliveryIsNotFound() {
        String user = userWithIdentity();

        assertProblem(retry(user, SortableId.at(Instant.now())), 404, "not-found");
        assertProblem(retry(user, "not-a-delivery-id"), 404, "not-found");
    }

    @Test
    void aRetryThatFailsForAPassingReasonIsScheduledAgain() {
        String reply = "451 4.3.0 scripted: try again later";
        try (ScriptedSmtpServer server = ScriptedSmtpServer.upToAuthentication()
                .on("MAIL", "250 2.1.0 OK")
                .on("RCPT", reply)
                .start()) {
            String user = userWithIdentity();
            useSmtp(user, server.host(), server.port(), "STARTTLS", ADDRESS, "s3cret-Sm7p-pa55", "PLAIN");
            // Failed on MSC, at the end of its automatic attempts; the user has moved to their own server since.
            Delivery failed = seed(failed(user, true));
            Instant before = Instant.now();

            ApiAnswer answer = retry(user, failed.deliveryId());

            assertEquals(200, answer.status(), answer.rawBody());
            assertEquals("RETRY_SCHEDULED", answer.body().get("status").asText(), answer.rawBody());
            assertEquals("SMTP", answer.body().get("channel").asText(), "the channel the user has now");
            assertEquals(reply, answer.body().get("lastError").asText());
            Instant next = Instant.parse(answer.body().get("nextAttemptAt").asText());
            assertTrue(next.isAfter(before), "next attempt " + next + " after " + before);
            assertTrue(server.commands().contains("RCPT"), server.commands().toString());

            Delivery stored = deliveries.find(failed.deliveryId()).orElseThrow();
            assertEquals(DeliveryStatus.RETRY_SCHEDULED, stored.status());
            assertEquals(next, stored.nextAttemptAt());
            assertEquals(failed.text(), stored.text(), "the content is kept for the next attempt");
            assertNotNull(deliveryItem(failed.deliveryId()).get("gsi1pk"), "the sweep finds it");
            assertEquals(List.of(), relayed(failed.deliveryId()), "nothing through our relay");
        }
    }

    /** Asserts the retry is refused with this problem and changes nothing: no send, the stored delivery as it was. */
    private void assertRefused(String caller, Delivery delivery, int status, String type) {
        ApiAnswer answer = retry(caller, delivery.deliveryId());

        assertProblem(answer, status, type);
        assertEquals(delivery, deliveries.find(delivery.deliveryId()).orElseThrow(), "the delivery is unchanged");
        assertEquals(List.of(), relayed(delivery.deliveryId()), "nothing was sent");
    }

    private static ApiAnswer retry(String user, String deliveryId) {
        return ApiEvents.request("POST", "/v1/messages/" + deliveryId + "/retry").as(user).send();
    }

    private Delivery seed(Delivery delivery) {
        assertTrue(deliveries.create(delivery, Optional.empty()));
        return delivery;
    }

    private static List<ReceivedMessage> relayed(String deliveryId) {
        return MscRelayResource.relay().messages().stream()
                .filter(message -> deliveryId.equals(message.header("X-Delivery-Id")))
                .toList();
    }

    private static String userWithIdentity() {
        String user = newUser();
        identity(user, "Alice Martin", ADDRESS);
        return user;
    }

    /** A delivery on MSC that failed after all its attempts; with or without its content. */
    private static Delivery failed(String user, boolean withContent) {
        Instant accepted = Instant.now().minus(Duration.ofHours(2));
        String id = SortableId.at(accepted);
        String identityId = Arc.container().instance(ChannelStore.class).get().settings(user).defaultIdentityId();
        return new Delivery(id, user, DeliveryStatus.FAILED, ChannelType.MSC, identityId, "Alice Martin", ADDRESS,
                List.of("bob@example.org"), List.of("carol@example.org"), List.of(), null, "Manual retry " + id,
                withContent ? "Hi Bob" : null, withContent ? "<p>Hi Bob</p>" : null, null, true, true, 6, null,
                LAST_ERROR, List.of(new DeliveryEvent("ACCEPTED", accepted, null),
                        new DeliveryEvent("FAILED", accepted.plusSeconds(1), LAST_ERROR)),
                accepted, "<" + id + "@mail.delivery-channels.local>", null, 3);
    }

    private static Delivery withStatus(Delivery d, DeliveryStatus status, Instant nextAttemptAt) {
        return new Delivery(d.deliveryId(), d.userId(), status, d.channel(), d.identityId(), d.fromName(),
                d.fromAddress(), d.to(), d.cc(), d.bcc(), d.replyTo(), d.subject(), d.text(), d.html(),
                d.conversationId(), d.viaTag(), d.bounceTracking(), d.attempts(), nextAttemptAt, d.lastError(),
                List.of(d.events().get(0), new DeliveryEvent(status.name(), d.events().get(1).at(), null)),
                d.createdAt(), d.messageId(), d.sesMessageId(), d.version());
    }
}
