package com.deliverychannels.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every character that may not go into a header value, found by scanning the whole Basic Multilingual Plane. */
class HeaderTextTest {

    /** C0 controls, DEL, C1 controls: the tab aside, every one is refused, wherever it stands in the value. */
    static Stream<Arguments> controls() {
        return IntStream.concat(IntStream.rangeClosed(0x00, 0x1F), IntStream.rangeClosed(0x7F, 0x9F))
                .filter(c -> c != '\t')
                .mapToObj(c -> Arguments.of(String.format("U+%04X", c), (char) c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controls")
    void refusesEveryControlCharacterButTheTab(String name, char c) {
        String expected = c == '\r' || c == '\n' || c == 0x0B || c == 0x0C || c == 0x85 ? HeaderText.LINE_BREAK
                : HeaderText.CONTROL_CHARACTER;

        assertEquals(Optional.of(expected), HeaderText.refusal(c + "Hello"));
        assertEquals(Optional.of(expected), HeaderText.refusal("Hel" + c + "lo"));
        assertEquals(Optional.of(expected), HeaderText.refusal("Hello" + c));
    }

    @ParameterizedTest
    @ValueSource(chars = {'\u2028', '\u2029'})
    void refusesTheUnicodeLineAndParagraphSeparators(char c) {
        assertEquals(Optional.of(HeaderText.LINE_BREAK), HeaderText.refusal("Hello" + c + "Bcc: eve@evil.example"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000\r\n", "a\u0007b\nc", "\u007F\u2028"})
    void aLineBreakIsNamedBeforeAnyOtherControl(String value) {
        assertEquals(Optional.of(HeaderText.LINE_BREAK), HeaderText.refusal(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Quarterly pricing", "Re:\tyour offer", "Prix à négocier ✓", "Ünïcødé Ñame",
            "日本語の件名", "Deal \uD83E\uDD1D signed", "zero\u200Bwidth", "soft\u00ADhyphen", "nbsp\u00A0here",
            "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./"})
    void acceptsPrintableTextAndTabs(String value) {
        assertEquals(Optional.empty(), HeaderText.refusal(value));
    }

    @org.junit.jupiter.api.Test
    void refusesExactlyTheControlsAndSeparatorsOfTheWholePlane() {
        for (int c = 0; c <= 0xFFFF; c++) {
            if (Character.isSurrogate((char) c)) {
                continue;
            }
            boolean refused = HeaderText.refusal(String.valueOf((char) c)).isPresent();
            boolean expected = c != '\t' && (c <= 0x1F || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029);
            assertEquals(expected, refused, String.format("U+%04X", c));
        }
    }
}
