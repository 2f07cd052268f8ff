package com.deliverychannels.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.UUID;

import com.deliverychannels.delivery.Delivery;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * SES feedback about a delivery: the SES fixtures under {@code fixtures/ses/} pointed at it.
 */
public final class SesFeedback {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SesFeedback() {
    }

    /**
     * The SES fixture {@code fixtures/ses/<fixture>} with its {@code deliveryId} tag and {@code X-Delivery-Id}
     * header naming {@code delivery}, and a fresh SES message id.
     */
    public static String about(String fixture, Delivery delivery) {
        String resource = "/fixtures/ses/" + fixture;
        try (InputStream in = SesFeedback.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            ObjectNode message = (ObjectNode) JSON.readTree(in);
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
