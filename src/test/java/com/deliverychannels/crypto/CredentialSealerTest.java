package com.deliverychannels.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.core.UnavailableException;
import com.deliverychannels.secrets.RuntimeSecret;
import com.deliverychannels.secrets.SecretSource;
import com.deliverychannels.testing.MutableClock;

class CredentialSealerTest {
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final String OLD_KEY = key(1);
    private static final String NEW_KEY = key(2);
    private static final String ANA = "user-ana|smtp.password";
    private static final String BRUNO = "user-bruno|smtp.password";

    /** 32 distinct bytes, base64: a key anyone can recognize in a message. */
    private static String key(int seed) {
        byte[] bytes = new byte[32];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static CredentialSealer sealer(String ring) {
        return new CredentialSealer(RuntimeSecret.fixed("CREDENTIALS_KEYS", ring));
    }

    /** A key ring read from Secrets Manager (a stand-in source here) whose value an operator rotates. */
    private static final class RotatedRing implements SecretSource {
        String value;
        int reads;

        RotatedRing(String value) {
            this.value = value;
        }

        @Override
        public String read(String id) {
            reads++;
            return value;
        }
    }

    @Test
    void aRingRotatedInSecretsManagerIsReadAgainWhenAValueNamesAKeyItDoesNotHave() {
        RotatedRing source = new RotatedRing("k1:" + OLD_KEY);
        MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
        CredentialSealer running = new CredentialSealer(RuntimeSecret.of("CREDENTIALS_KEYS", Optional.empty(),
                Optional.of("arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf"), source, clock));
        String sealedBefore = running.seal("hunter2", ANA);
        assertEquals(1, source.reads, "read once, on first use");

        // The operator puts a new key first; a function started after that seals under it.
        source.value = "k2:" + NEW_KEY + ",k1:" + OLD_KEY;
        String sealedByNewFunction = sealer(source.value).seal("s3cret", BRUNO);
        clock.advance(Duration.ofMinutes(1));

        assertEquals("s3cret", running.unseal(sealedByNewFunction, BRUNO), "the running function reads the ring again");
        assertEquals(2, source.reads);
        assertEquals("hunter2", running.unseal(sealedBefore, ANA), "the old key still opens its values");
        assertTrue(running.seal("x", ANA).startsWith("v1.k2."), "and the new first key seals from now on");
    }

    @Test
    void valuesNamingUnknownKeysDoNotBecomeAStreamOfSecretsManagerCalls() {
        RotatedRing source = new RotatedRing("k1:" + OLD_KEY);
        MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
        CredentialSealer sealer = new CredentialSealer(RuntimeSecret.of("CREDENTIALS_KEYS", Optional.empty(),
                Optional.of("arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf"), source, clock));
        String foreign = sealer("k9:" + NEW_KEY).seal("x", ANA);
        sealer.available();
        clock.advance(Duration.ofMinutes(1));

        for (int i = 0; i < 100; i++) {
            assertThrows(UnavailableException.class, () -> sealer.unseal(foreign, ANA));
        }
        assertEquals(2, source.reads, "one start-up read, then at most one more per interval");

        clock.advance(Duration.ofMinutes(1));
        assertThrows(UnavailableException.class, () -> sealer.unseal(foreign, ANA));
        assertEquals(3, source.reads);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hunter2", "", "p", "pässwörd-with-ümlauts ✓", "1//0a-refresh-token.with_dots.and-dashes",
            "a password with spaces and \"quotes\" and \\ backslash"})
    void opensWhatItSealed(String secret) {
        CredentialSealer sealer = sealer("k1:" + OLD_KEY);
        assertEquals(secret, sealer.unseal(sealer.seal(secret, ANA), ANA));
    }

    @Test
    void opensLongSecrets() {
        CredentialSealer sealer = sealer("k1:" + OLD_KEY);
        String secret = "x".repeat(10_000);
        assertEquals(secret, sealer.unseal(sealer.seal(secret, ANA), ANA));
    }

    @Test
    void anotherSealerWithTheSameRingOpensIt() {
        String sealed = sealer("k1:" + OLD_KEY).seal("hunter2", ANA);
        assertEquals("hunter2", sealer("k1:" + OLD_KEY).unseal(sealed, ANA));
    }

    @Test
    void sealedValueDoesNotContainThePlaintext() {
        String secret = "correct-horse-battery-staple";
        String sealed = sealer("k1:" + OLD_KEY).seal(secret, ANA);
        assertFalse(sealed.contains(secret), sealed);
        assertFalse(sealed.contains(Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getBytes())), sealed);
        assertFalse(sealed.contains(Base64.getEncoder().encodeToString(secret.getBytes())), sealed);
        assertTrue(sealed.startsWith("v1.k1."), sealed);
    }

    @Test
    void twoSealsOfTheSameValueDiffer() {
        CredentialSealer sealer = sealer("k1:" + OLD_KEY);
        String first = sealer.seal("hunter2", ANA);
        String second = sealer.seal("hunter2", ANA);
        assertNotEquals(first, second);
        // the random IV is the first 12 bytes after the key id
        assertNotEquals(first.substring(6, 22), second.substring(6, 22));
        assertEquals("hunter2", sealer.unseal(first, ANA));
        assertEquals("hunter2", sealer.unseal(second, ANA));
    }

    @ParameterizedTest
    @ValueSource(strings = {BRUNO, "user-ana|gmail.refresh-token", "user-ana|smtp.passwor", "user-ana|smtp.password ", ""})
    void sealedValueDoesNotOpenForAnotherContext(String otherContext) {
        CredentialSealer sealer = sealer("k1:" + OLD_KEY);
        String sealed = sealer.seal("hunter2", ANA);
        UnavailableException refused = assertThrows(UnavailableException.class, () -> sealer.unseal(sealed, otherContext));
        assertEquals("problem.credentials.unreadable", refused.messageKey());
    }

    static Stream<Arguments> secretsOfEveryEncodedLength() {
        // 12 IV + 16 tag + n bytes: n = 2, 3 and 4 cover the three base64 tails (0, 2 and 4 spare bits).
        return Stream.of(Arguments.of("ab"), Arguments.of("abc"), Arguments.of("abcd"));
    }

    /**
     * Changes one character to every other character a sealed value can hold, at every position. Each such
     * value was altered, so none may open: the version, the key id, the separators and every bit of
     * IV, ciphertext and tag are all covered.
     */
    @ParameterizedTest
    @MethodSource("secretsOfEveryEncodedLength")
    void oneChangedCharacterAnywhereDoesNotOpen(String secret) {
        CredentialSealer sealer = sealer("k1:" + OLD_KEY);
        String sealed = sealer.seal(secret, ANA);
        List<String> opened = new ArrayList<>();
        for (int i = 0; i < sealed.length(); i++) {
            for (char replacement : (BASE64URL + ".").toCharArray()) {
                if (replacement == sealed.charAt(i)) {
                    continue;
                }
                String altered = sealed.substring(0, i) + replacement + sealed.substring(i + 1);
                try {
                    String value = sealer.unseal(altered, ANA);
                    opened.add("position " + i + " '" + sealed.charAt(i) + "'→'" + replacement + "' opened as '" + value + "'");
                } catch (UnavailableException expected) {
                    assertEquals("problem.credentials.unreadable", expected.messageKey());
                }
            }
        }
        assertEquals(List.of(), opened, () -> "altered values of " + sealed + " opened");
    }

    @Test
    void flippingAnyBitOfIvCiphertextOrTagDoesNotOpen() {
        CredentialSealer sealer = sealer("k1:" + OLD_KEY);
        String sealed = sealer.seal("hunter2", ANA);
        String prefix = sealed.substring(0, sealed.lastIndexOf('.') + 1);
        byte[] blob = Base64.getUrlDecoder().decode(sealed.substring(prefix.length()));
        for (int bit = 0; bit < blob.length * 8; bit++) {
            byte[] altered = blob.clone();
            altered[bit / 8] ^= (byte) (1 << (bit % 8));
            String value = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(altered);
            int flipped = bit;
            assertThrows(UnavailableException.class, () -> sealer.unseal(value, ANA), () -> "bit " + flipped);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hunter2", "v1", "v1.k1", "v1.k1.", "v1.k1.AAAA", "v2.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "v1.k1.!!!!", "v1..AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void refusesValuesThatWereNeverSealed(String value) {
        CredentialSealer sealer = sealer("k1:" + OLD_KEY);
        UnavailableException refused = assertThrows(UnavailableException.class, () -> sealer.unseal(value, ANA));
        assertEquals("problem.credentials.unreadable", refused.messageKey());
    }

    @Test
    void sealedUnderTheOldKeyOpensAfterANewKeyIsPutFirst() {
        String sealedBefore = sealer("k1:" + OLD_KEY).seal("hunter2", ANA);
        CredentialSealer rotated = sealer("k2:" + NEW_KEY + ",k1:" + OLD_KEY);

        assertEquals("hunter2", rotated.unseal(sealedBefore, ANA));

        String sealedAfter = rotated.seal("hunter2", ANA);
        assertTrue(sealedAfter.startsWith("v1.k2."), sealedAfter);
        assertEquals("hunter2", rotated.unseal(sealedAfter, ANA));
        // the old ring does not know k2
        assertThrows(UnavailableException.class, () -> sealer("k1:" + OLD_KEY).unseal(sealedAfter, ANA));
    }

    @Test
    void ringEntriesMayCarryWhitespace() {
        String sealed = sealer("k1:" + OLD_KEY).seal("hunter2", ANA);
        assertEquals("hunter2", sealer(" k2:" + NEW_KEY + " , k1: " + OLD_KEY + " ").unseal(sealed, ANA));
    }

    @Test
    void aKeyRemovedFromTheRingLeavesItsValuesUnreadable() {
        String sealedUnderOld = sealer("k1:" + OLD_KEY + ",k2:" + NEW_KEY).seal("hunter2", ANA);
        CredentialSealer withoutOld = sealer("k2:" + NEW_KEY);
        UnavailableException refused = assertThrows(UnavailableException.class, () -> withoutOld.unseal(sealedUnderOld, ANA));
        assertEquals("problem.credentials.unreadable", refused.messageKey());
    }

    @Test
    void aKeyIdThatNamesADifferentKeyDoesNotOpen() {
        String sealed = sealer("k1:" + OLD_KEY).seal("hunter2", ANA);
        assertThrows(UnavailableException.class, () -> sealer("k1:" + NEW_KEY).unseal(sealed, ANA));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void withoutKeysNothingIsSealedOrOpened(String configured) {
        for (CredentialSealer sealer : List.of(sealer(null), sealer(configured))) {
            assertFalse(sealer.available());
            UnavailableException sealRefused = assertThrows(UnavailableException.class, () -> sealer.seal("hunter2", ANA));
            assertEquals("problem.credentials.unconfigured", sealRefused.messageKey());
            assertFalse(String.valueOf(sealRefused.getMessage()).contains("hunter2"));
            UnavailableException openRefused = assertThrows(UnavailableException.class,
                    () -> sealer.unseal("v1.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ANA));
            assertEquals("problem.credentials.unconfigured", openRefused.messageKey());
        }
    }

    @Test
    void withKeysItIsAvailable() {
        assertTrue(sealer("k1:" + OLD_KEY).available());
    }

    static Stream<Arguments> malformedRings() {
        String key16 = Base64.getEncoder().encodeToString(new byte[] {
                11, 22, 33, 44, 55, 66, 77, 88, 99, 110, 121, 12, 23, 34, 45, 56});
        String key33 = Base64.getEncoder().encodeToString(new byte[33]);
        return Stream.of(
                Arguments.of("bad base64", "k1:" + OLD_KEY.substring(0, 20) + "!*" + OLD_KEY.substring(22), OLD_KEY.substring(0, 20)),
                Arguments.of("16-byte key", "k1:" + key16, key16),
                Arguments.of("33-byte key", "k1:" + key33, key33),
                Arguments.of("missing id", OLD_KEY, OLD_KEY),
                Arguments.of("empty id", ":" + OLD_KEY, OLD_KEY),
                Arguments.of("id with a space", "key one:" + OLD_KEY, OLD_KEY),
                Arguments.of("id too long", "k".repeat(33) + ":" + OLD_KEY, OLD_KEY),
                Arguments.of("key before id", OLD_KEY + ":k1", OLD_KEY),
                Arguments.of("duplicate id", "k1:" + OLD_KEY + ",k1:" + NEW_KEY, NEW_KEY),
                Arguments.of("second entry bad", "k2:" + NEW_KEY + ",k1:" + key16, NEW_KEY),
                Arguments.of("empty entry", "k2:" + NEW_KEY + ",,k1:" + OLD_KEY, OLD_KEY),
                Arguments.of("empty key", "k1:", OLD_KEY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRings")
    void refusesMalformedRingWithoutRevealingKeyMaterial(String problem, String ring, String material) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> sealer(ring));
        String message = refused.getMessage();
        assertTrue(message.contains("CREDENTIALS_KEYS"), message);
        assertFalse(message.contains(material), message);
        for (String known : List.of(OLD_KEY, NEW_KEY, OLD_KEY.substring(0, 12), NEW_KEY.substring(0, 12))) {
            assertFalse(message.contains(known), message);
        }
    }

    @Test
    void errorsNeverCarryTheSecret() {
        CredentialSealer sealer = sealer("k1:" + OLD_KEY);
        String sealed = sealer.seal("hunter2-secret", ANA);
        UnavailableException refused = assertThrows(UnavailableException.class, () -> sealer.unseal(sealed, BRUNO));
        for (Throwable t = refused; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("hunter2-secret"), t.toString());
            assertFalse(String.valueOf(t.getMessage()).contains(OLD_KEY), t.toString());
        }
    }
}
