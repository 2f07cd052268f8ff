package com.deliverychannels.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "ana@example.com",
            "a@b.co",
            "ana.maria@mail.example.com",
            "first.middle.last@example.org",
            "ana+newsletter@example.com",
            "o'brien@example.ie",
            "!#$%&'*+/=?^_`{|}~-@example.com",
            "UPPER.Case@Example.COM",
            "1234567890@example.com",
            "ana@sub-domain.example-host.com",
            "ana@123.example.com",
    })
    void acceptsDotAtomAddresses(String address) {
        assertTrue(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"ana maria\"@example.com",
            "\"ana..maria\"@example.com",
            "\".ana\"@example.com",
            "\"ana.\"@example.com",
            "\"ana@home\"@example.com",
            "\"a\\\"b\"@example.com",
            "\"a\\\\b\"@example.com",
            "\"(comment-like)\"@example.com",
            "\"\"@example.com",
    })
    void acceptsQuotedLocalParts(String address) {
        assertTrue(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ana@[192.0.2.1]",
            "ana@[0.0.0.0]",
            "ana@[203.0.113.255]",
            "ana@[IPv6:2001:db8::1]",
            "\"ana maria\"@[198.51.100.7]",
    })
    void acceptsDomainLiterals(String address) {
        assertTrue(EmailAddress.isValid(address), address);
    }

    /** RFC 5321 §4.1.3: an address literal in an envelope is an IPv4 address or a tagged one such as {@code IPv6:}. */
    @ParameterizedTest
    @ValueSource(strings = {"ana@[]", "ana@[hello]", "ana@[1.2.3]", "ana@[256.0.0.1]", "ana@[012.0.0.1]",
            "ana@[192.0.2.01]", "ana@[00.0.0.0]", "ana@[0x7f.0.0.1]"})
    void refusesDomainLiteralThatIsNoAddress(String address) {
        assertFalse(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ana@xn--bcher-kva.example",
            "ana@xn--80ak6aa92e.com",
            "xn--ls8h@xn--p1ai.xn--p1ai",
    })
    void acceptsPunycodeDomains(String address) {
        assertTrue(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ana@bücher.example", "anä@example.com", "ana@пример.рф"})
    void refusesUnencodedNonAsciiAddresses(String address) {
        assertFalse(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ana@example.com\r\nBcc: victim@example.org",
            "ana@example.com\n",
            "ana@example.com\r",
            "ana\r\n@example.com",
            "ana@exa\nmple.com",
            "\"ana\r\nmaria\"@example.com",
            "\"ana\nmaria\"@example.com",
            "\"ana\\\r\"@example.com",
    })
    void refusesLineBreaks(String address) {
        assertFalse(EmailAddress.isValid(address), address.replace("\r", "\\r").replace("\n", "\\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Ana <ana@example.com>",
            "\"Ana\" <ana@example.com>",
            "<ana@example.com>",
            "ana@example.com (Ana)",
            "Ana Maria ana@example.com",
    })
    void refusesDisplayNamesAndComments(String address) {
        assertFalse(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ana..maria@example.com",
            ".ana@example.com",
            "ana.@example.com",
            ".@example.com",
            "ana@example..com",
            "ana@.example.com",
            "ana@example.com.",
    })
    void refusesLeadingTrailingAndConsecutiveDots(String address) {
        assertFalse(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ana@localhost", "ana@mailserver", "ana@com"})
    void refusesBareHostNames(String address) {
        assertFalse(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ana",
            "@",
            "ana@",
            "@example.com",
            "ana@@example.com",
            "ana@maria@example.com",
            "ana maria@example.com",
            " ana@example.com",
            "ana@example.com ",
            "ana@exa mple.com",
            "ana(x)@example.com",
            "ana,maria@example.com",
            "ana;maria@example.com",
            "ana[1]@example.com",
            "ana\\maria@example.com",
            "\"ana\"maria\"@example.com",
            "\"ana@example.com",
            "ana\"@example.com",
            "ana.\"maria\"@example.com",
            "ana@-example.com",
            "ana@example-.com",
            "ana@exa_mple.com",
            "ana@example.123",
            "ana@192.0.2.1",
            "ana@[192.0.2.1",
            "ana@[a[b]",
            "ana@[a\\b]",
    })
    void refusesMalformedAddresses(String address) {
        assertFalse(EmailAddress.isValid(address), address);
    }

    @ParameterizedTest
    @NullAndEmptySource
    void refusesMissingAddress(String address) {
        assertFalse(EmailAddress.isValid(address));
    }

    static Stream<Arguments> lengthLimits() {
        String local64 = "a".repeat(64);
        // 64 + "@" + 63 + "." + 63 + "." + 61 = 254 characters
        String domain189 = "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);
        String domain190 = "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(62);
        return Stream.of(
                Arguments.of(local64 + "@example.com", true),
                Arguments.of("a" + local64 + "@example.com", false),
                Arguments.of("\"" + "a".repeat(62) + "\"@example.com", true),
                Arguments.of("\"" + "a".repeat(63) + "\"@example.com", false),
                Arguments.of(local64 + "@" + domain189, true),
                Arguments.of(local64 + "@" + domain190, false),
                Arguments.of("ana@" + "x".repeat(63) + ".com", true),
                Arguments.of("ana@" + "x".repeat(64) + ".com", false));
    }

    @ParameterizedTest
    @MethodSource("lengthLimits")
    void enforcesLocalPartAndTotalLengthLimits(String address, boolean valid) {
        assertEquals(valid, EmailAddress.isValid(address),
                () -> address.length() + " characters, local part " + address.lastIndexOf('@'));
    }

    @Test
    void lengthLimitsAreTheRfcOnes() {
        String atLimit = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);
        assertEquals(254, atLimit.length());
        assertTrue(EmailAddress.isValid(atLimit));
        assertFalse(EmailAddress.isValid(atLimit + "d"));
    }

    @ParameterizedTest
    @CsvSource({
            "ana@example.com,            ana@example.com",
            "ana@EXAMPLE.COM,            ana@example.com",
            "Ana.Maria@Mail.Example.Com, Ana.Maria@mail.example.com",
            "ANA@XN--BCHER-KVA.EXAMPLE,  ANA@xn--bcher-kva.example",
            "ana@[IPv6:2001:DB8::1],     ana@[ipv6:2001:db8::1]",
    })
    void canonicalLowercasesOnlyTheDomain(String address, String canonical) {
        assertEquals(canonical, EmailAddress.canonical(address));
    }

    @Test
    void canonicalKeepsQuotedLocalPartWithAtSign() {
        assertEquals("\"Ana@Home\"@example.com", EmailAddress.canonical("\"Ana@Home\"@Example.COM"));
    }

    @Test
    void canonicalFormsOfOneAddressAreEqualAndDifferentLocalPartsAreNot() {
        assertEquals(EmailAddress.canonical("ana@Example.com"), EmailAddress.canonical("ana@EXAMPLE.COM"));
        // The local part is case-sensitive per RFC 5321 §2.4: we must not merge two mailboxes.
        assertFalse(EmailAddress.canonical("Ana@example.com").equals(EmailAddress.canonical("ana@example.com")));
    }
}
