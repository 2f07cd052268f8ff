package com.deliverychannels.http;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP API request as a route sees it: method, path with its parameters, query, headers (names in lower
 * case, as API Gateway sends them), the decoded body, the caller from the JWT authorizer and the
 * negotiated language.
 *
 * @param body   null when the request has none
 * @param caller the {@code sub} claim; empty when the authorizer sent none
 */
public record ApiRequest(String method, String path, Map<String, String> pathParams, Map<String, String> query,
        Map<String, String> headers, String body, Optional<String> caller, Locale language) {

    /** The caller, or a 401 answer when there is none. */
    public String user() {
        return caller.orElseThrow(() -> new HttpProblem(Problem.UNAUTHENTICATED, "problem.unauthenticated.detail"));
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    public Optional<String> queryParam(String name) {
        return Optional.ofNullable(query.get(name));
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    ApiRequest withPathParams(Map<String, String> params) {
        return new ApiRequest(method, path, Map.copyOf(params), query, headers, body, caller, language);
    }
}
