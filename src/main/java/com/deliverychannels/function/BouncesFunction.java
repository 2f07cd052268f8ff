package com.deliverychannels.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.deliverychannels.http.HttpApi;
import com.deliverychannels.http.WebhookRoutes;

import io.quarkus.funqy.Funq;

/**
 * SES notifications through SNS (a shell until issue 4: the webhook answers 501, SNS → Lambda events are
 * not read yet).
 */
public class BouncesFunction {
    private final HttpApi http;
    private final WebhookRoutes routes;

    public BouncesFunction(HttpApi http, WebhookRoutes routes) {
        this.http = http;
        this.routes = routes;
    }

    @Funq("bounces")
    public APIGatewayV2HTTPResponse bounces(APIGatewayV2HTTPEvent event) {
        return http.handle(event, routes.router());
    }
}
