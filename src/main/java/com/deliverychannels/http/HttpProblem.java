package com.deliverychannels.http;

import java.util.List;

import com.deliverychannels.core.FieldError;

/**
 * A request refused for how it was sent rather than what it asks (malformed JSON, no caller, too large):
 * thrown by this package, turned into problem+json by {@link HttpApi}.
 */
public final class HttpProblem extends RuntimeException {
    private final Problem problem;
    private final String detailKey;
    private final List<Object> args;
    private final List<FieldError> errors;
    private final String allow;

    public HttpProblem(Problem problem, String detailKey, Object... args) {
        this(problem, detailKey, List.of(), args);
    }

    public HttpProblem(Problem problem, String detailKey, List<FieldError> errors, Object... args) {
        this(problem, detailKey, errors, null, args);
    }

    private HttpProblem(Problem problem, String detailKey, List<FieldError> errors, String allow, Object... args) {
        super(detailKey, null, false, false);
        this.problem = problem;
        this.detailKey = detailKey;
        this.args = List.of(args);
        this.errors = List.copyOf(errors);
        this.allow = allow;
    }

    /** 405, naming the methods the path does answer (RFC 9110 §15.5.6 requires {@code Allow}). */
    public static HttpProblem methodNotAllowed(java.util.Collection<String> allowed) {
        String allow = String.join(", ", allowed);
        return new HttpProblem(Problem.METHOD_NOT_ALLOWED, "problem.method-not-allowed.detail", List.of(), allow, allow);
    }

    public Problem problem() {
        return problem;
    }

    public String detailKey() {
        return detailKey;
    }

    public List<Object> args() {
        return args;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The {@code Allow} header of a 405; null otherwise. */
    public String allow() {
        return allow;
    }
}
