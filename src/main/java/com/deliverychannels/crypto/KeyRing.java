package com.deliverychannels.crypto;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys named in {@code CREDENTIALS_KEYS} ({@code keyId:base64(32 bytes)[,...]}): the first
 * seals, every one unseals, so keys can be rotated without re-sealing everything at once.
 */
record KeyRing(String sealingKeyId, Map<String, SecretKey> keys) {
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    /** Parses the configured value; a malformed ring is a deployment error, reported without the key bytes. */
    static KeyRing parse(String configured) {
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String[] entries = configured.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon);
            if (!KEY_ID.matcher(id).matches()) {
                problems.add("entry " + (i + 1) + ": the key id must be 1-32 of [A-Za-z0-9_-] before a ':'");
                continue;
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                problems.add("key '" + id + "': not base64");
                continue;
            }
            if (bytes.length != 32) {
                problems.add("key '" + id + "': " + bytes.length + " bytes, AES-256 needs 32");
                continue;
            }
            if (keys.putIfAbsent(id, new SecretKeySpec(bytes, "AES")) != null) {
                problems.add("key '" + id + "': named twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("CREDENTIALS_KEYS is malformed: " + String.join("; ", problems));
        }
        return new KeyRing(keys.keySet().iterator().next(), Map.copyOf(keys));
    }

    SecretKey sealingKey() {
        return keys.get(sealingKeyId);
    }

    Optional<SecretKey> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }
}
