package com.deliverychannels.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.deliverychannels.http.ChannelsRoutes;
import com.deliverychannels.http.HttpApi;

import io.quarkus.funqy.Funq;

/** Channel settings, identities, channel options and the failed-delivery list, behind API Gateway. */
public class ChannelsFunction {
    private final HttpApi http;
    private final ChannelsRoutes routes;

    public ChannelsFunction(HttpApi http, ChannelsRoutes routes) {
        this.http = http;
        this.routes = routes;
    }

    @Funq("channels")
    public APIGatewayV2HTTPResponse channels(APIGatewayV2HTTPEvent event) {
        return http.handle(event, routes.router());
    }
}
