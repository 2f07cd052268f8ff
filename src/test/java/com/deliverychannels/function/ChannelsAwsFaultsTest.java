package com.deliverychannels.function;

import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.deliverychannels.aws.FailedCallLog;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.AwsFault;
import com.deliverychannels.testing.CapturedLog;
import com.deliverychannels.testing.DynamoDbLocalResource;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A {@code channels} route when DynamoDB answers with each fault class of issue 11 (injected on the wire by the
 * proxy in front of DynamoDB Local): a configuration fault is a 500 problem+json naming the request and nothing
 * of the cause, logged with the call and the table; throttling is retried and the route answers.
 */
@QuarkusTest
class ChannelsAwsFaultsTest {

    @AfterEach
    void clearFaults() {
        DynamoDbLocalResource.proxy().clearFaults();
    }

    @ParameterizedTest
    @EnumSource(AwsFault.class)
    void aRouteWhoseReadIsRefusedAnswersByTheFaultsClass(AwsFault fault) {
        String user = newUser();
        fault.inject(DynamoDbLocalResource.proxy(), "GetItem");

        ApiAnswer answer;
        try (CapturedLog log = CapturedLog.of(FailedCallLog.class)) {
            answer = ApiEvents.get("/v1/channel").as(user).send();

            if (fault.passing()) {
                assertEquals(200, answer.status(), answer::toString);
                assertEquals(java.util.List.of(), log.lines(), "passing faults are not configuration faults");
                return;
            } else {
                assertEquals(500, answer.status(), answer::toString);
                assertTrue(log.lines().stream().anyMatch(line -> line.startsWith("ERROR configuration fault: "
                        + "dynamodb:GetItem on table/" + DynamoDbLocalResource.TABLE + " failed: " + fault.code())),
                        "the log names the call, the table and the error: " + log.lines());
            }
        }
        assertTrue(answer.header("content-type").startsWith("application/problem+json"), answer::toString);
        assertEquals("JKJaXmPLvHcESHA=", answer.body().path("requestId").asText(), "names the request");
        for (String internal : java.util.List.of("Exception", "dynamodb", DynamoDbLocalResource.TABLE, "arn:aws")) {
            assertFalse(answer.rawBody().contains(internal), "nothing of the cause reaches the caller: " + answer);
        }
    }
}
