package com.deliverychannels.bench;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

import com.deliverychannels.bounce.SnsTestSigner;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.packaged.PackagedFunction;
import com.deliverychannels.packaged.PackagedProduct;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.SesFeedback;

/**
 * The events a benchmark feeds each function, and the data they need in the table first: the same fixtures
 * the tests use, so that a benchmark measures what the tests prove works. One place for all benchmarks.
 */
public final class Workloads {
    public static final String ADDRESS = "alice@example.com";
    private static final String BOUNCE = "event-bounce-permanent-two-recipients.json";

    private Workloads() {
    }

    /** A new user with one default identity, created through the packaged {@code channels} function. */
    public static User newUser(PackagedFunction channels) {
        String user = "user-" + UUID.randomUUID();
        ApiAnswer created = PackagedProduct.http(channels, ApiEvents.post("/v1/identities",
                "{\"name\":\"Alice Martin\",\"address\":\"" + ADDRESS + "\",\"default\":true}").as(user));
        if (created.status() != 201) {
            throw new IllegalStateException("could not create an identity: " + created);
        }
        return new User(user, created.body().path("id").asText());
    }

    /** {@code POST /v1/messages} by {@code user}: one recipient, text and HTML, sent through MSC by default. */
    public static String send(User user) {
        return ApiEvents.post("/v1/messages", "{\"to\":[\"bob@example.org\"],\"subject\":\"Benchmark\","
                + "\"text\":\"Hi Bob,\\nshall we talk?\",\"html\":\"<p>Hi Bob,</p>\"}").as(user.id()).json();
    }

    /** A SENT delivery to two recipients, stored as the send function leaves it. */
    public static Delivery sentDelivery(PackagedProduct product) {
        Delivery delivery = DeliveryFixtures.sent("mary@example.com", "richard@example.com");
        if (!product.deliveries().create(delivery, Optional.empty())) {
            throw new IllegalStateException("could not store " + delivery.deliveryId());
        }
        return delivery;
    }

    /** An SNS → Lambda event with one signed SES permanent bounce of both recipients of {@code delivery}. */
    public static String bounceEvent(PackagedProduct product, Delivery delivery) {
        return SnsTestSigner.lambdaEvent(SnsTestSigner.notification(PackagedProduct.TOPIC,
                SesFeedback.about(BOUNCE, delivery), product.certificates().certUrl(), Instant.now()));
    }

    /**
     * {@code count} deliveries of {@code user} due for a retry through MSC now, stored as the send function
     * leaves them after a passing failure (content kept, RETRY_SCHEDULED).
     */
    public static List<Delivery> dueDeliveries(PackagedProduct product, User user, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> DeliveryFixtures.retryScheduled(user.id(), user.identityId(), ADDRESS,
                        ChannelType.MSC, 1, Instant.now().minusSeconds(1), 1))
                .peek(delivery -> {
                    if (!product.deliveries().create(delivery, Optional.empty())) {
                        throw new IllegalStateException("could not store " + delivery.deliveryId());
                    }
                })
                .toList();
    }

    /** EventBridge's scheduled event, as the retry function receives it. */
    public static String scheduledEvent() {
        return ApiEvents.fixture("events/eventbridge/scheduled.json").toString();
    }

    /** A user and their default identity. */
    public record User(String id, String identityId) {
    }
}
