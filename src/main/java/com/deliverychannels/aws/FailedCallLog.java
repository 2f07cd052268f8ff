package com.deliverychannels.aws;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.arc.Unremovable;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Logs, for every AWS call that fails for a reason an operator must fix ({@link AwsFaults}), which call it
 * was, on which resource, and what the service answered: {@code dynamodb:BatchGetItem on table/deliveries
 * failed: AccessDeniedException (...)}. The SDK's exception does not carry the operation or the resource, and
 * this interceptor is the one place that sees both. Passing failures (throttling, 5xx) are logged, if at all,
 * by whoever retries them. The request's values (items, keys, secrets) are never logged, only its names.
 * <p>
 * Registered on the DynamoDB client by {@code quarkus.dynamodb.interceptors} (found as a CDI bean), and on
 * the clients this application builds itself.
 */
@ApplicationScoped
@Unremovable
public class FailedCallLog implements ExecutionInterceptor {
    private static final Logger LOG = Logger.getLogger(FailedCallLog.class);

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (!(context.exception() instanceof SdkException failure) || AwsFaults.isPassing(failure)) {
            return;
        }
        String service = iamPrefix(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME));
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        // "configuration fault" is what the template's metric filter counts (alarm ConfigurationFaultsAlarm).
        LOG.errorf("configuration fault: %s:%s on %s failed: %s (%s)", service, operation, resource(context.request()),
                AwsFaults.errorCode(failure), failure.getMessage());
    }

    /** "DynamoDb" → "dynamodb", "Secrets Manager" → "secretsmanager", "SESv2" → "ses": the IAM action prefix. */
    static String iamPrefix(String serviceName) {
        if (serviceName == null) {
            return "aws";
        }
        String prefix = serviceName.replace(" ", "").toLowerCase(Locale.ROOT);
        return prefix.equals("sesv2") ? "ses" : prefix;
    }

    /** The names the request acts on: a table (and index), the tables of a batch, a secret; never values. */
    static String resource(SdkRequest request) {
        Optional<String> table = request.getValueForField("TableName", String.class);
        if (table.isPresent()) {
            return "table/" + table.get()
                    + request.getValueForField("IndexName", String.class).map(index -> "/index/" + index).orElse("");
        }
        Optional<Map> batch = request.getValueForField("RequestItems", Map.class);
        if (batch.isPresent()) {
            return "table/" + String.join(",table/", batch.get().keySet().stream().map(String::valueOf).toList());
        }
        Optional<List> transaction = request.getValueForField("TransactItems", List.class);
        if (transaction.isPresent()) {
            return "a transaction of " + transaction.get().size() + " items";
        }
        return request.getValueForField("SecretId", String.class).map(id -> "secret " + id)
                .orElse(request.getClass().getSimpleName());
    }
}
