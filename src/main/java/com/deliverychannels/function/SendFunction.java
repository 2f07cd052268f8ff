package com.deliverychannels.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.deliverychannels.http.HttpApi;
import com.deliverychannels.http.SendRoutes;

import io.quarkus.funqy.Funq;

/** Sending, delivery status and manual retry, behind API Gateway. */
public class SendFunction {
    private final HttpApi http;
    private final SendRoutes routes;

    public SendFunction(HttpApi http, SendRoutes routes) {
        this.http = http;
        this.routes = routes;
    }

    @Funq("send")
    public APIGatewayV2HTTPResponse send(APIGatewayV2HTTPEvent event) {
        return http.handle(event, routes.router());
    }
}
