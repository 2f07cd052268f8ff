package com.deliverychannels.function;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.deliverychannels.testing.DynamoDbLocalResource;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the table holds for one user, read with a raw client so a test sees what was (or was not) written
 * rather than what the function chooses to answer; and request bodies built as JSON so awkward values (CR,
 * LF, quotes) are escaped correctly.
 */
final class StoredItems {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredItems() {
    }

    /** A user no other test touches. */
    static String newUser() {
        return "user-" + UUID.randomUUID();
    }

    /** Every item under {@code USER#<sub>}, in sort-key order. */
    static List<Map<String, AttributeValue>> itemsOf(String user) {
        try (DynamoDbClient client = DynamoDbLocalResource.client()) {
            return client.query(b -> b.tableName(DynamoDbLocalResource.TABLE)
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("USER#" + user)))
                    .consistentRead(true)).items();
        }
    }

    /** One item of the user, or null when there is none. */
    static Map<String, AttributeValue> item(String user, String sk) {
        try (DynamoDbClient client = DynamoDbLocalResource.client()) {
            Map<String, AttributeValue> item = client.getItem(b -> b.tableName(DynamoDbLocalResource.TABLE)
                    .key(Map.of("pk", AttributeValue.fromS("USER#" + user), "sk", AttributeValue.fromS(sk)))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? null : item;
        }
    }

    /** Writes an item as is, for states the API cannot produce (a corrupt record). */
    static void put(Map<String, AttributeValue> item) {
        try (DynamoDbClient client = DynamoDbLocalResource.client()) {
            client.putItem(b -> b.tableName(DynamoDbLocalResource.TABLE).item(item));
        }
    }

    /** The sealed SMTP password as stored in the user's settings item, or null. */
    static String storedSmtpPassword(String user) {
        Map<String, AttributeValue> settings = item(user, "SETTINGS");
        if (settings == null || settings.get("smtp") == null || !settings.get("smtp").hasM()) {
            return null;
        }
        AttributeValue password = settings.get("smtp").m().get("password");
        return password == null ? null : password.s();
    }

    /** A JSON object from alternating names and values; values may be strings, numbers, booleans or null. */
    static String json(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs");
        }
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            object.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        try {
            return JSON.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
