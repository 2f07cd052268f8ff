package com.deliverychannels.http;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@code send} function's routes. Sending lands with issue 3: until then every route answers 501 to an
 * authenticated caller, so nothing pretends a message left.
 */
@ApplicationScoped
public class SendRoutes {
    private final Router router = Router.builder()
            .route("POST", "/v1/messages", SendRoutes::notYet)
            .route("GET", "/v1/messages/{deliveryId}", SendRoutes::notYet)
            .route("POST", "/v1/messages/{deliveryId}/retry", SendRoutes::notYet)
            .build();

    /** The routes this function serves. */
    public Router router() {
        return router;
    }

    private static ApiResponse notYet(ApiRequest request) {
        request.user();
        throw new HttpProblem(Problem.NOT_IMPLEMENTED, "problem.not-implemented.send");
    }
}
