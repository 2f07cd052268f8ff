package com.deliverychannels.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.UUID;

import com.deliverychannels.delivery.Delivery;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * SES feedback about a delivery: the SES fixtures under {@code fixtures/ses/} pointed at it, and dated when the
 * test asks (now unless it says otherwise): feedback about a message sent now happens now, not when the fixture
 * was captured, and takes its place in the delivery's timeline accordingly.
 */
public final class SesFeedback {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SesFeedback() {
    }

    /**
     * The SES fixture {@code fixtures/ses/<fixture>} with its {@code deliveryId} tag and {@code X-Delivery-Id}
     * header naming {@code delivery}, and a fresh SES message id, dated now.
     */
    public static String about(String fixture, Delivery delivery) {
        return about(fixture, delivery, Instant.now());
    }

    /**
     * As {@link #about(String, Delivery)}, with every {@code timestamp} of the notification (the mail's and the
     * event's) set to {@code at}.
     */
    public static String about(String fixture, Delivery delivery, Instant at) {
        ObjectNode message = read(fixture, at);
        ObjectNode mail = (ObjectNode) message.get("mail");
        if (mail.has("tags")) {
            ((ObjectNode) mail.get("tags")).putArray("deliveryId").add(delivery.deliveryId());
        }
        if (mail.has("headers")) {
            for (JsonNode header : mail.get("headers")) {
                if (header.get("name").asText().equalsIgnoreCase("X-Delivery-Id")) {
                    ((ObjectNode) header).put("value", delivery.deliveryId());
                }
            }
        }
        mail.put("messageId", "ses-" + UUID.randomUUID());
        return message.toString();
    }

    /**
     * The SES fixture {@code fixtures/ses/<fixture>} about the message SES accepted as {@code sesMessageId}, with
     * neither our {@code deliveryId} tag nor our {@code X-Delivery-Id} header: only the SES message id ties it to
     * a delivery. Dated now.
     */
    public static String aboutSesMessage(String fixture, String sesMessageId) {
        ObjectNode message = read(fixture, Instant.now());
        ObjectNode mail = (ObjectNode) message.get("mail");
        if (mail.has("tags")) {
            ((ObjectNode) mail.get("tags")).remove("deliveryId");
        }
        if (mail.has("headers")) {
            Iterator<JsonNode> headers = mail.get("headers").elements();
            while (headers.hasNext()) {
                if (headers.next().path("name").asText().equalsIgnoreCase("X-Delivery-Id")) {
                    headers.remove();
                }
            }
        }
        mail.put("messageId", sesMessageId);
        return message.toString();
    }

    /** The fixture, every {@code timestamp} in it set to {@code at}. */
    private static ObjectNode read(String fixture, Instant at) {
        String resource = "/fixtures/ses/" + fixture;
        try (InputStream in = SesFeedback.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            ObjectNode message = (ObjectNode) JSON.readTree(in);
            message.findParents("timestamp").forEach(parent -> ((ObjectNode) parent).put("timestamp", at.toString()));
            return message;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
