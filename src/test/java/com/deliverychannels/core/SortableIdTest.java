package com.deliverychannels.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SortableIdTest {
    private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final Instant NOW = Instant.parse("2026-03-14T09:26:53.589Z");

    @ParameterizedTest
    @ValueSource(strings = {"1970-01-01T00:00:00Z", "2016-07-30T23:54:10.259Z", "2026-03-14T09:26:53.589Z",
            "2999-12-31T23:59:59.999Z", "+10889-08-02T05:31:50.655Z"})
    void isTwentySixCrockfordCharacters(String at) {
        String id = SortableId.at(Instant.parse(at));
        assertEquals(26, id.length(), id);
        for (char c : id.toCharArray()) {
            assertTrue(CROCKFORD.indexOf(c) >= 0, () -> "'" + c + "' in " + id);
        }
    }

    /** The ULID specification's own example: 01ARZ3NDEK is the time 1469922850259 ms. */
    @ParameterizedTest
    @CsvSource({
            "0,             0000000000",
            "1,             0000000001",
            "32,            0000000010",
            "1469922850259, 01ARZ3NDEK",
            "281474976710655, 7ZZZZZZZZZ",
    })
    void firstTenCharactersEncodeTheMillisecond(long epochMilli, String prefix) {
        assertEquals(prefix, SortableId.at(Instant.ofEpochMilli(epochMilli)).substring(0, 10));
    }

    @Test
    void idsMadeAtIncreasingInstantsSortIncreasingAsStrings() {
        List<Instant> instants = List.of(
                Instant.EPOCH,
                Instant.ofEpochMilli(1),
                Instant.ofEpochMilli(31),
                Instant.ofEpochMilli(32),
                Instant.parse("2001-09-09T01:46:39.999Z"),
                Instant.parse("2001-09-09T01:46:40Z"),
                NOW,
                NOW.plusMillis(1),
                NOW.plus(Duration.ofDays(1)),
                Instant.parse("2999-12-31T23:59:59.999Z"));
        // Many rounds: the random tail must never outweigh a later millisecond.
        for (int round = 0; round < 200; round++) {
            String previous = null;
            for (Instant at : instants) {
                String id = SortableId.at(at);
                if (previous != null) {
                    String before = previous;
                    assertTrue(before.compareTo(id) < 0, () -> before + " should sort before " + id + " (" + at + ")");
                }
                previous = id;
            }
        }
    }

    @Test
    void consecutiveMillisecondsSortInOrder() {
        String previous = SortableId.at(NOW);
        for (int ms = 1; ms <= 5_000; ms++) {
            String id = SortableId.at(NOW.plusMillis(ms));
            assertTrue(previous.compareTo(id) < 0, previous + " vs " + id);
            previous = id;
        }
    }

    @Test
    void tenThousandIdsAtTheSameInstantAreUnique() {
        Set<String> ids = new HashSet<>();
        IntStream.range(0, 10_000).forEach(i -> ids.add(SortableId.at(NOW)));
        assertEquals(10_000, ids.size());
    }

    @Test
    void idsAtTheSameInstantShareTheTimePrefixAndDifferInTheRandomTail() {
        String first = SortableId.at(NOW);
        String second = SortableId.at(NOW);
        assertEquals(first.substring(0, 10), second.substring(0, 10));
        assertFalse(first.substring(10).equals(second.substring(10)));
    }

    @Test
    void randomTailUsesTheWholeAlphabet() {
        // 80 random bits as 16 digits: over many ids every digit shows up in every tail position.
        List<Set<Character>> seen = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            seen.add(new HashSet<>());
        }
        for (int n = 0; n < 5_000; n++) {
            String tail = SortableId.at(NOW).substring(10);
            for (int i = 0; i < 16; i++) {
                seen.get(i).add(tail.charAt(i));
            }
        }
        for (int i = 0; i < 16; i++) {
            assertEquals(32, seen.get(i).size(), "position " + (10 + i) + " saw " + seen.get(i));
        }
    }

    @Test
    void acceptsEveryIdItMakes() {
        for (int i = 0; i < 1_000; i++) {
            String id = SortableId.at(NOW.plusSeconds(i * 7919L));
            assertTrue(SortableId.isWellFormed(id), id);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"01ARZ3NDEKTSV4RRFFQ69G5FAV", "00000000000000000000000000", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"})
    void acceptsWellFormedIds(String id) {
        assertTrue(SortableId.isWellFormed(id));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "01ARZ3NDEKTSV4RRFFQ69G5FA",      // 25 characters
            "01ARZ3NDEKTSV4RRFFQ69G5FAVX",    // 27 characters
            "01arz3ndektsv4rrffq69g5fav",     // lower case: ids are keys, compared exactly
            "01ARZ3NDEKTSV4RRFFQ69G5FAI",     // I is not Crockford
            "01ARZ3NDEKTSV4RRFFQ69G5FAL",     // L
            "01ARZ3NDEKTSV4RRFFQ69G5FAO",     // O
            "01ARZ3NDEKTSV4RRFFQ69G5FAU",     // U
            "01ARZ3NDEKTSV4RRFFQ69G5FA-",
            "01ARZ3NDEKTSV4RRFFQ69G5FA ",
            " 1ARZ3NDEKTSV4RRFFQ69G5FAV",
            "01ARZ3NDEK/SV4RRFFQ69G5FAV",
            "../../../../../../etc/pas",
            "01ARZ3NDEKTSV4RRFFQ69G5FAÀ",
    })
    void refusesMalformedIds(String value) {
        assertFalse(SortableId.isWellFormed(value));
    }

    /** 26 digits carry 130 bits, the id 128: a first digit above 7 is no id this class can make (ULID spec). */
    @ParameterizedTest
    @ValueSource(strings = {"8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "80000000000000000000000000"})
    void refusesIdsBeyondTheLargestTimestamp(String value) {
        assertFalse(SortableId.isWellFormed(value));
    }
}
