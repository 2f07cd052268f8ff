package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.StoredItems.newUser;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.deliverychannels.aws.FailedCallLog;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.AwsFault;
import com.deliverychannels.testing.CapturedLog;
import com.deliverychannels.testing.DynamoDbLocalResource;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.RetryFunctionProfile;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The retry sweep when DynamoDB refuses its batch read of due deliveries with each fault class of issue 11 —
 * the production break of issue 11 was an AccessDenied here, answered {@code {"claimed": 0}} and no error. A
 * configuration fault now fails the invocation (Lambda's error metric and alarm, the dead-letter queue) with
 * the call named in the log, the delivery stays due and the next sweep after the fault sends it, once. Throttling
 * is retried and the sweep sends it at once.
 */
@QuarkusTest
@TestProfile(RetryFunctionProfile.class)
class RetryAwsFaultsTest {
    @Inject
    DeliveryStore deliveries;

    @AfterEach
    void clearFaults() {
        DynamoDbLocalResource.proxy().clearFaults();
    }

    @ParameterizedTest
    @EnumSource(AwsFault.class)
    void aRefusedBatchReadFailsTheSweepLoudlyUnlessItIsThrottling(AwsFault fault) {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        Delivery due = RetrySweepTest.delivery(user, ChannelType.MSC, 1, Instant.now().minusSeconds(10));
        assertTrue(deliveries.create(due, Optional.empty()));
        fault.inject(DynamoDbLocalResource.proxy(), "BatchGetItem");

        int status;
        String body;
        try (CapturedLog log = CapturedLog.of(FailedCallLog.class)) {
            var response = given().contentType("application/json")
                    .body(ApiEvents.fixture("events/eventbridge/scheduled.json").toString()).post("/");
            status = response.statusCode();
            body = response.asString();
            if (!fault.passing()) {
                assertTrue(log.lines().stream().anyMatch(line -> line.contains("configuration fault: "
                        + "dynamodb:BatchGetItem on table/" + DynamoDbLocalResource.TABLE)), log.lines()::toString);
            }
        }

        if (fault.passing()) {
            assertEquals(200, status, body);
            assertEquals(DeliveryStatus.SENT, deliveries.find(due.deliveryId()).orElseThrow().status(), body);
            assertEquals(1, relayed(due).size());
            return;
        }
        assertTrue(status >= 500, "the invocation fails, never {\"claimed\": 0}: " + status + " " + body);
        assertEquals(due, deliveries.find(due.deliveryId()).orElseThrow(), "untouched: still due");
        assertEquals(List.of(), relayed(due), "nothing sent");

        DynamoDbLocalResource.proxy().clearFaults();
        given().contentType("application/json").body(ApiEvents.fixture("events/eventbridge/scheduled.json").toString())
                .post("/").then().statusCode(200);
        assertEquals(DeliveryStatus.SENT, deliveries.find(due.deliveryId()).orElseThrow().status());
        assertEquals(1, relayed(due).size(), "sent by the next sweep, once");
    }

    private static List<?> relayed(Delivery delivery) {
        return MscRelayResource.relay().messages().stream()
                .filter(message -> delivery.deliveryId().equals(message.header("X-Delivery-Id"))).toList();
    }

}
