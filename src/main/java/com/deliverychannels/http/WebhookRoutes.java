package com.deliverychannels.http;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.bounce.SnsIntake;

/**
 * The SNS HTTPS webhook of the {@code bounces} function ({@code POST /v1/webhooks/ses}, no JWT
 * authorizer): SNS posts its envelope as {@code text/plain}, so the body is read raw, not as a JSON
 * request of ours.
 */
@ApplicationScoped
public class WebhookRoutes {
    private final Router router;

    public WebhookRoutes(SnsIntake intake) {
        this.router = Router.builder()
                .anonymousRoute("POST", "/v1/webhooks/ses", request -> {
                    if (request.body() == null || request.body().isBlank()) {
                        throw new HttpProblem(Problem.BAD_REQUEST, "problem.body.missing");
                    }
                    intake.webhook(request.body());
                    return ApiResponse.ok(new Acknowledged(true));
                })
                .build();
    }

    /** The answer SNS gets for anything accepted. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record Acknowledged(boolean accepted) {
    }

    /** The routes this function serves. */
    public Router router() {
        return router;
    }
}
