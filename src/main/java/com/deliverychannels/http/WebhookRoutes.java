package com.deliverychannels.http;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The SNS HTTPS webhook of the {@code bounces} function ({@code POST /v1/webhooks/ses}, no JWT authorizer).
 * Signature verification lands with issue 4: until then it answers 501 and accepts nothing.
 */
@ApplicationScoped
public class WebhookRoutes {
    private final Router router = Router.builder()
            .route("POST", "/v1/webhooks/ses", request -> {
                throw new HttpProblem(Problem.NOT_IMPLEMENTED, "problem.not-implemented.bounces");
            })
            .build();

    /** The routes this function serves. */
    public Router router() {
        return router;
    }
}
