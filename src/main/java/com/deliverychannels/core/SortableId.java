package com.deliverychannels.core;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * Identifiers that sort by creation time (the ULID layout: 48 bits of milliseconds, 80 random bits,
 * Crockford base 32). Sort keys built from them list records in time order without a second index.
 */
public final class SortableId {
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private SortableId() {
    }

    /** A new id for something created at {@code at}. */
    public static String at(Instant at) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return encode(at, random);
    }

    private static String encode(Instant at, byte[] random) {
        char[] out = new char[26];
        long time = at.toEpochMilli();
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits as 16 base-32 digits
        long high = ((random[0] & 0xFFL) << 32) | ((random[1] & 0xFFL) << 24) | ((random[2] & 0xFFL) << 16)
                | ((random[3] & 0xFFL) << 8) | (random[4] & 0xFFL);
        long low = ((random[5] & 0xFFL) << 32) | ((random[6] & 0xFFL) << 24) | ((random[7] & 0xFFL) << 16)
                | ((random[8] & 0xFFL) << 8) | (random[9] & 0xFFL);
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (low & 31)];
            low >>>= 5;
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (high & 31)];
            high >>>= 5;
        }
        return new String(out);
    }

    /**
     * An id for something that happened at {@code at}, the same every time for the same {@code seed}: a
     * record written again after a redelivered event lands on the same key instead of beside it.
     */
    public static String derived(Instant at, String seed) {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return encode(at, java.util.Arrays.copyOf(digest, 10));
    }

    /** Answers whether {@code value} has the shape of an id made here (it may still name nothing). */
    public static boolean isWellFormed(String value) {
        // 26 digits hold 130 bits and an id has 128: the first digit of any id made here is 0-7.
        if (value == null || value.length() != 26 || value.charAt(0) > '7') {
            return false;
        }
        String alphabet = new String(ALPHABET);
        for (char c : value.toCharArray()) {
            if (alphabet.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }
}
