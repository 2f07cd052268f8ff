package com.deliverychannels.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reading and writing item attributes; absent values stay absent (DynamoDB stores no nulls). */
final class Items {
    /** DynamoDB's limit on a partition key value, in bytes of UTF-8. */
    static final int MAX_PARTITION_KEY_BYTES = 2048;
    private static final String USER_PREFIX = "USER#";
    private static final String HASHED_USER_PREFIX = "USERSHA256#";
    private Items() {
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static void putIfPresent(Map<String, AttributeValue> item, String name, Object value) {
        if (value != null) {
            item.put(name, s(value.toString()));
        }
    }

    static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    static int integer(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? 0 : Integer.parseInt(value.n());
    }

    static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? 0 : Long.parseLong(value.n());
    }

    static Instant instant(Map<String, AttributeValue> item, String name) {
        String value = string(item, name);
        return value == null ? null : Instant.parse(value);
    }

    static <E extends Enum<E>> E enumValue(Map<String, AttributeValue> item, String name, Class<E> type) {
        String value = string(item, name);
        return value == null ? null : Enum.valueOf(type, value);
    }

    static Map<String, AttributeValue> map(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || !value.hasM() ? null : value.m();
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(TableLayout.PK, s(pk), TableLayout.SK, s(sk));
    }

    /**
     * The partition key of a user's items: {@code USER#<sub>}. DynamoDB refuses a partition key over 2048 bytes,
     * and a JWT's {@code sub} has no length limit of its own (RFC 7519 §4.1.2; OpenID Connect caps it at 255
     * ASCII characters, other issuers need not): a longer one is keyed by its SHA-256 instead,
     * {@code USERSHA256#<base64url>}. The prefix cannot be spelt by {@code USER#} and any {@code sub}, so a hashed
     * key never meets a literal one; the full {@code sub} still decides who owns what (a delivery's
     * {@code owner}).
     */
    static String userPk(String userId) {
        String literal = USER_PREFIX + userId;
        if (literal.getBytes(StandardCharsets.UTF_8).length <= MAX_PARTITION_KEY_BYTES) {
            return literal;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(userId.getBytes(StandardCharsets.UTF_8));
            return HASHED_USER_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
