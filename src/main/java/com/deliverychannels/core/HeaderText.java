package com.deliverychannels.core;

import java.util.Optional;

/**
 * What may go into a mail header value (a subject, a display name, an address). RFC 5322 §2.2 allows no
 * CR or LF outside folding, and §3.2.5 none of the other controls in unstructured text; a header that
 * carried them would end early (CR, LF), be cut at a NUL by C-string code on the way, or be read as a line
 * end by the many parsers that treat NEL (U+0085) and U+2028/U+2029 as one. So every control character
 * (Unicode general category Cc: U+0000–U+001F, U+007F–U+009F) and both Unicode separators are refused; a
 * horizontal tab is white space that headers may hold.
 */
public final class HeaderText {
    /** The text key of a line break or line separator in a value. */
    public static final String LINE_BREAK = "field.line-break";
    /** The text key of any other control character in a value. */
    public static final String CONTROL_CHARACTER = "field.control-character";

    private HeaderText() {
    }

    /**
     * Why {@code value} cannot go into a header: {@link #LINE_BREAK} when it holds CR, LF, VT, FF, NEL, U+2028
     * or U+2029, {@link #CONTROL_CHARACTER} when it holds another control character; empty when it may.
     */
    public static Optional<String> refusal(String value) {
        String found = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isLineBreak(c)) {
                return Optional.of(LINE_BREAK);
            }
            if (isControl(c)) {
                found = CONTROL_CHARACTER;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Line ends as RFC 5322, Unicode (UAX #14 mandatory breaks) and common mail and web parsers read them. */
    static boolean isLineBreak(char c) {
        return c == '\r' || c == '\n' || c == '\u000B' || c == '\u000C' || c == '\u0085' || c == '\u2028'
                || c == '\u2029';
    }

    /** A C0 or C1 control character or DEL, the horizontal tab aside. */
    static boolean isControl(char c) {
        return c != '\t' && Character.getType(c) == Character.CONTROL;
    }
}
