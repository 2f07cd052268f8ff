package com.deliverychannels.function;

import java.util.ArrayList;
import java.util.List;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.deliverychannels.bounce.SnsEnvelope;
import com.deliverychannels.bounce.SnsIntake;
import com.deliverychannels.http.HttpApi;
import com.deliverychannels.http.WebhookRoutes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * SES notifications through SNS, by either road: an SNS → Lambda event ({@code Records[].Sns}), or the
 * HTTPS webhook through API Gateway. The two shapes are told apart here, since one Lambda receives both.
 * The answer's declared type is {@code Object}, so its two real types are registered for a native image.
 */
@RegisterForReflection(targets = {APIGatewayV2HTTPResponse.class, SnsIntake.Summary.class})
public class BouncesFunction {
    private static final ObjectMapper EVENTS = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final HttpApi http;
    private final WebhookRoutes routes;
    private final SnsIntake intake;

    public BouncesFunction(HttpApi http, WebhookRoutes routes, SnsIntake intake) {
        this.http = http;
        this.routes = routes;
        this.intake = intake;
    }

    @Funq("bounces")
    public Object bounces(JsonNode event) throws JsonProcessingException {
        if (event != null && event.has("Records")) {
            List<SnsEnvelope> records = new ArrayList<>();
            for (JsonNode record : event.get("Records")) {
                if (!"aws:sns".equals(record.path("EventSource").asText())) {
                    throw new IllegalArgumentException("not an SNS record: " + record.path("EventSource").asText());
                }
                records.add(SnsEnvelope.fromLambdaRecord(record.get("Sns")));
            }
            return intake.lambda(records);
        }
        if (event != null && event.has("requestContext")) {
            return webhook(EVENTS.treeToValue(event, APIGatewayV2HTTPEvent.class));
        }
        throw new IllegalArgumentException("neither an SNS event nor an API Gateway request");
    }

    /** The webhook road (also what the local API Gateway stand-in calls). */
    public APIGatewayV2HTTPResponse webhook(APIGatewayV2HTTPEvent event) {
        return http.handle(event, routes.router());
    }
}
