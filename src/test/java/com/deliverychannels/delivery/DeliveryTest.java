package com.deliverychannels.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.deliverychannels.channel.ChannelType;

/** A delivery's timeline lists what happened in the order it happened, whatever order we learnt it in. */
class DeliveryTest {
    private static final Instant SENT_AT = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void aNotificationDatedBeforeLaterEventsTakesItsPlaceInTime() {
        Delivery delivered = sent().notified(DeliveryStatus.DELIVERED,
                new DeliveryEvent("DELIVERED", SENT_AT.plusSeconds(30), "bob@example.org"));

        Delivery bounced = delivered.notified(DeliveryStatus.BOUNCED,
                new DeliveryEvent("BOUNCED", SENT_AT.plusSeconds(5), "carol@example.org"));

        assertEquals(List.of("ACCEPTED", "SENT", "BOUNCED", "DELIVERED"), types(bounced));
        assertEquals(SENT_AT.plusSeconds(30), bounced.lastEventAt());
    }

    @Test
    void eventsOfOneInstantKeepTheOrderTheyWereRecordedIn() {
        Delivery d = sent()
                .notified(DeliveryStatus.DELIVERED, new DeliveryEvent("DELIVERED", SENT_AT, "bob@example.org"))
                .notified(DeliveryStatus.BOUNCED, new DeliveryEvent("BOUNCED", SENT_AT, "carol@example.org"));

        assertEquals(List.of("ACCEPTED", "SENT", "DELIVERED", "BOUNCED"), types(d));
    }

    @Test
    void aTimelineReadOutOfOrderIsListedInOrder() {
        Delivery stored = delivery(List.of(new DeliveryEvent("ACCEPTED", SENT_AT, null),
                new DeliveryEvent("DELIVERED", SENT_AT.plusSeconds(60), null),
                new DeliveryEvent("SENT", SENT_AT.plusSeconds(1), null),
                new DeliveryEvent("BOUNCED", SENT_AT.plusSeconds(30), null)));

        assertEquals(List.of("ACCEPTED", "SENT", "BOUNCED", "DELIVERED"), types(stored));
    }

    private static Delivery sent() {
        return delivery(List.of(new DeliveryEvent("ACCEPTED", SENT_AT.minusMillis(300), null),
                new DeliveryEvent("SENT", SENT_AT, null)));
    }

    private static Delivery delivery(List<DeliveryEvent> events) {
        return new Delivery("01JDZQ7Y6M3V8X2K9T4N5P6R7S", "user-1", DeliveryStatus.SENT, ChannelType.MSC, "id-1",
                "Alice", "alice@example.com", List.of("bob@example.org", "carol@example.org"), List.of(), List.of(),
                null, "Hello", null, null, null, true, true, 1, null, null, events, SENT_AT.minusMillis(300), null,
                null, 2);
    }

    private static List<String> types(Delivery delivery) {
        return delivery.events().stream().map(DeliveryEvent::type).toList();
    }
}
