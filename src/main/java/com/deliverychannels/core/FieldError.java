package com.deliverychannels.core;

import java.util.List;

/**
 * One invalid field of a request.
 *
 * @param field      the JSON path of the field (for example {@code port} or {@code to[2]})
 * @param messageKey the key of the text that says what is wrong
 * @param args       values for that text
 */
public record FieldError(String field, String messageKey, List<Object> args) {
    public FieldError {
        args = List.copyOf(args);
    }

    public static FieldError of(String field, String messageKey, Object... args) {
        return new FieldError(field, messageKey, List.of(args));
    }
}
