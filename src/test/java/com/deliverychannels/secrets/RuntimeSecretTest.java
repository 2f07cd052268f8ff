package com.deliverychannels.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.deliverychannels.core.MisconfiguredException;
import com.deliverychannels.testing.MutableClock;

/** One secret from its plain variable or from Secrets Manager by ARN (issue 11 §3). */
class RuntimeSecretTest {
    private static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf";
    private static final Instant START = Instant.parse("2026-12-04T10:00:00Z");

    /** Secrets Manager as the function sees it: the current value, and every read. */
    private static final class Source implements SecretSource {
        String value = "first";
        final List<String> reads = new ArrayList<>();

        @Override
        public String read(String id) {
            reads.add(id);
            return value;
        }
    }

    @Test
    void aPlainValueIsUsedAsItIsAndNeverLooksForASource() {
        Source source = new Source();
        RuntimeSecret secret = RuntimeSecret.of("CREDENTIALS_KEYS", Optional.of("plain"), Optional.empty(), source,
                Clock.systemUTC());

        secret.load();

        assertEquals(Optional.of("plain"), secret.value());
        assertFalse(secret.configured());
        assertFalse(secret.reload(), "nothing to read again");
        assertEquals(List.of(), source.reads);
    }

    @Test
    void anArnWinsOverThePlainValueAndIsReadOnceAtStartUp() {
        Source source = new Source();
        RuntimeSecret secret = RuntimeSecret.of("CREDENTIALS_KEYS", Optional.of("plain"), Optional.of(ARN), source,
                Clock.fixed(START, ZoneOffset.UTC));

        secret.load();

        assertEquals(Optional.of("first"), secret.value());
        assertEquals(Optional.of("first"), secret.value());
        assertEquals(List.of(ARN), source.reads, "kept in memory after the start-up read");
    }

    @Test
    void readingAgainIsLimitedToOnceAnIntervalAndSaysWhetherTheValueChanged() {
        Source source = new Source();
        MutableClock clock = new MutableClock(START);
        RuntimeSecret secret = RuntimeSecret.of("GMAIL_CLIENT_SECRET", Optional.empty(), Optional.of(ARN), source,
                clock);
        secret.load();

        source.value = "rotated";
        assertFalse(secret.reload(), "too soon after the last read");
        assertEquals(Optional.of("first"), secret.value());

        clock.advance(RuntimeSecret.MIN_RELOAD_INTERVAL);
        assertTrue(secret.reload());
        assertEquals(Optional.of("rotated"), secret.value());

        clock.advance(RuntimeSecret.MIN_RELOAD_INTERVAL);
        assertFalse(secret.reload(), "read again, unchanged");
        assertEquals(3, source.reads.size());
    }

    @Test
    void aSecretTheRoleMayNotReadFailsLoudly() {
        SecretSource denied = id -> {
            throw new MisconfiguredException("secretsmanager", "AccessDeniedException", null);
        };
        RuntimeSecret secret = RuntimeSecret.of("CREDENTIALS_KEYS", Optional.empty(), Optional.of(ARN), denied,
                Clock.systemUTC());

        assertThrows(MisconfiguredException.class, secret::load);
    }

    @Test
    void itsValueNeverShowsInItsText() {
        Source source = new Source();
        source.value = "k1:c2VjcmV0LWtleS1tYXRlcmlhbA==";
        RuntimeSecret secret = RuntimeSecret.of("CREDENTIALS_KEYS", Optional.empty(), Optional.of(ARN), source,
                Clock.systemUTC());
        secret.load();

        assertFalse(secret.toString().contains(source.value), secret.toString());
        assertTrue(secret.toString().contains(ARN), "names where it comes from");
        assertEquals(Duration.ofSeconds(30), RuntimeSecret.MIN_RELOAD_INTERVAL);
    }
}
