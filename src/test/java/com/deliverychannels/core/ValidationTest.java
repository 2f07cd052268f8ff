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
