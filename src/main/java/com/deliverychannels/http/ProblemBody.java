package com.deliverychannels.http;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An {@code application/problem+json} body (RFC 9457). {@code errors} lists invalid fields, when any;
 * {@code requestId} (an extension member, RFC 9457 §3.2) names the request on a 500, for the caller to quote
 * and the operator to find in the log.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ProblemBody(String type, String title, int status, String detail, List<FieldMessage> errors,
                          String requestId) {

    /** One invalid field and what is wrong with it, in the caller's language. */
    @RegisterForReflection
    public record FieldMessage(String field, String message) {
    }
}
