package com.deliverychannels.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A user's partition key fits DynamoDB's 2048 bytes whatever the length of the caller's {@code sub}. */
class ItemsTest {

    @ParameterizedTest
    @ValueSource(strings = {"user-1", "248289761001", "auth0|5f7c8ec7c33c6c004bbafe82", "00u1a2b3c4D5E6F7G8h9"})
    void anOrdinarySubIsTheKeyAsIs(String sub) {
        assertEquals("USER#" + sub, Items.userPk(sub));
    }

    @Test
    void aSubThatJustFitsIsKeptAsIs() {
        String sub = "s".repeat(Items.MAX_PARTITION_KEY_BYTES - "USER#".length());

        assertEquals("USER#" + sub, Items.userPk(sub));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 100, 5000, 100_000})
    void aLongerSubIsKeyedByItsHash(int over) {
        String sub = "s".repeat(Items.MAX_PARTITION_KEY_BYTES - "USER#".length() + over);

        String pk = Items.userPk(sub);

        assertTrue(pk.startsWith("USERSHA256#"), pk);
        assertFalse(pk.startsWith("USER#"), "never a literal key");
        assertTrue(pk.getBytes(StandardCharsets.UTF_8).length <= Items.MAX_PARTITION_KEY_BYTES);
        assertEquals(pk, Items.userPk(sub), "the same sub, the same key");
    }

    @Test
    void theLimitCountsBytesNotCharacters() {
        // 1,100 characters of two bytes each: 2,200 bytes, over the limit though well under 2,048 characters.
        String sub = "é".repeat(1100);

        assertTrue(Items.userPk(sub).startsWith("USERSHA256#"));
    }

    @Test
    void twoLongSubsAlikeButForTheirEndAreTwoUsers() {
        String prefix = "x".repeat(3000);

        assertNotEquals(Items.userPk(prefix + "a"), Items.userPk(prefix + "b"));
    }
}
