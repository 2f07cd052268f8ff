package com.deliverychannels.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {

    @Test
    void collectsEveryErrorBeforeRefusing() {
        Validation validation = new Validation();
        validation.required(null, "username");
        validation.singleLine("Hello\r\nBcc: victim@example.org", "subject", 998);
        validation.check(false, "port", "field.port-range", 1, 65535);
        validation.add(FieldError.of("to[2]", "field.address"));

        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);

        assertEquals(List.of(
                FieldError.of("username", "field.required"),
                FieldError.of("subject", "field.line-break"),
                FieldError.of("port", "field.port-range", 1, 65535),
                FieldError.of("to[2]", "field.address")), refused.errors());
        assertEquals("problem.invalid.detail", refused.messageKey());
    }

    @Test
    void passesWhenNothingFailed() {
        Validation validation = new Validation();
        assertTrue(validation.required("smtp.example.com", "host"));
        assertTrue(validation.singleLine("Quarterly numbers", "subject", 998));
        assertTrue(validation.check(true, "port", "field.port-range"));
        assertDoesNotThrow(validation::throwIfInvalid);
    }

    @Test
    void aPassingCheckAfterAFailingOneDoesNotClearIt() {
        Validation validation = new Validation();
        validation.check(false, "port", "field.port-range");
        validation.check(true, "port", "field.port-range");
        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
        assertEquals(List.of(FieldError.of("port", "field.port-range")), refused.errors());
    }

    @Test
    void checkAnswersWhetherTheValuePassed() {
        Validation validation = new Validation();
        assertFalse(validation.check(false, "a", "k"));
        assertTrue(validation.check(true, "b", "k"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "   ", "\t", "\n"})
    void requiredRefusesMissingOrBlank(String value) {
        Validation validation = new Validation();
        assertFalse(validation.required(value, "name"));
        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
        assertEquals(List.of(FieldError.of("name", "field.required")), refused.errors());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Hello\r\nBcc: victim@example.org", "Hello\nWorld", "Hello\rWorld", "Hello\n", "\rHello"})
    void singleLineRefusesLineBreaks(String value) {
        Validation validation = new Validation();
        assertFalse(validation.singleLine(value, "subject", 998));
        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
        assertEquals(List.of(FieldError.of("subject", "field.line-break")), refused.errors());
    }

    @ParameterizedTest
    @CsvSource({
            "10, 9,  true",
            "10, 10, true",
            "10, 11, false",
            "998, 998, true",
            "998, 999, false",
            "1, 1, true",
            "1, 2, false",
    })
    void singleLineRefusesTooLong(int maxLength, int length, boolean passes) {
        Validation validation = new Validation();
        assertEquals(passes, validation.singleLine("x".repeat(length), "subject", maxLength));
        if (passes) {
            assertDoesNotThrow(validation::throwIfInvalid);
        } else {
            InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
            assertEquals(List.of(FieldError.of("subject", "field.too-long", maxLength)), refused.errors());
        }
    }

    @Test
    void singleLineReportsOneErrorPerField() {
        Validation validation = new Validation();
        validation.singleLine("x".repeat(20) + "\n", "subject", 10);
        validation.singleLine(null, "name", 10);
        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
        assertEquals(List.of(
                FieldError.of("subject", "field.too-long", 10),
                FieldError.of("name", "field.required")), refused.errors());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bob\u0000", "bob\u001B[31m", "bob\u007F", "bob\u0085x", "bob\u2028", "bob\u009B"})
    void singleLineRefusesEveryControlCharacterAsInvalid(String value) {
        Validation validation = new Validation();
        assertFalse(validation.singleLine(value, "username", 320));
        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
        assertFalse(refused.malformed(), "a user name is no header: 422");
        assertEquals("username", refused.errors().get(0).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bob\r\nBcc: eve@evil.example", "Bob\u0000", "Bob\u0007", "Bob\u007F", "Bob\u0085",
            "Bob\u009F", "Bob\u2028", "Bob\u2029"})
    void aControlCharacterInAHeaderValueIsHeaderInjection(String value) {
        Validation validation = new Validation();
        validation.required(null, "other");
        assertFalse(validation.headerValue(value, "name", 100));
        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
        assertTrue(refused.malformed(), "400, not 422");
        assertEquals(List.of("name"), refused.errors().stream().map(FieldError::field).toList(),
                "the injection alone is named");
    }

    @Test
    void headerValueChecksPresenceAndLength() {
        Validation validation = new Validation();
        assertTrue(validation.headerValue("Bob\tRossi ✓", "name", 100));
        assertFalse(validation.headerValue("  ", "blank", 100));
        assertFalse(validation.headerValue("x".repeat(101), "long", 100));
        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
        assertFalse(refused.malformed());
        assertEquals(List.of(FieldError.of("blank", "field.required"), FieldError.of("long", "field.too-long", 100)),
                refused.errors());
    }

    @Test
    void singleLineKeepsOtherWhitespace() {
        Validation validation = new Validation();
        assertTrue(validation.singleLine("Re:\tyour  offer ", "subject", 998));
        assertDoesNotThrow(validation::throwIfInvalid);
    }

    @Test
    void refusedErrorsCannotBeChangedAfterwards() {
        Validation validation = new Validation();
        validation.check(false, "port", "field.port-range");
        InvalidInputException refused = assertThrows(InvalidInputException.class, validation::throwIfInvalid);
        validation.check(false, "host", "field.required");
        assertEquals(1, refused.errors().size());
        assertThrows(UnsupportedOperationException.class, () -> refused.errors().clear());
    }

    @Test
    void anInvalidInputNamesAtLeastOneField() {
        assertThrows(IllegalArgumentException.class, () -> new InvalidInputException(List.of()));
    }
}
