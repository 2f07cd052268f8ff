package com.deliverychannels.testing.aws;

import java.util.Arrays;
import java.util.List;

/**
 * The identity-based policy of one role: its statements, evaluated as IAM evaluates a request made within one
 * account with no resource policy, permission boundary, session policy or SCP in play. An explicit Deny that
 * applies wins; otherwise an Allow that applies allows; otherwise the request is implicitly denied.
 *
 * @see <a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html">
 *      IAM: explicit and implicit denies</a>
 */
public record IamPolicy(List<IamStatement> statements) {
    /** What IAM decides for one action on one resource. */
    public enum Decision {
        ALLOWED,
        /** No statement allows it: DynamoDB says "because no identity-based policy allows the ... action". */
        IMPLICITLY_DENIED,
        /** A Deny statement applies: DynamoDB says "with an explicit deny in an identity-based policy". */
        EXPLICITLY_DENIED;

        public boolean allowed() {
            return this == ALLOWED;
        }
    }

    public IamPolicy {
        statements = List.copyOf(statements);
    }

    public static IamPolicy of(IamStatement... statements) {
        return new IamPolicy(Arrays.asList(statements));
    }

    /** Every action on every resource: for tests that need the stand-ins but not the enforcement. */
    public static IamPolicy allowAll() {
        return of(IamStatement.allow(List.of("*"), List.of("*")));
    }

    /** No statement at all: every request is implicitly denied (a role nobody granted anything). */
    public static IamPolicy denyAll() {
        return new IamPolicy(List.of());
    }

    /** The decision for {@code action} (such as {@code dynamodb:GetItem}) on the resource ARN {@code resource}. */
    public Decision evaluate(String action, String resource) {
        boolean allowed = false;
        for (IamStatement statement : statements) {
            if (statement.appliesTo(action, resource)) {
                if (statement.effect() == IamStatement.Effect.DENY) {
                    return Decision.EXPLICITLY_DENIED;
                }
                allowed = true;
            }
        }
        return allowed ? Decision.ALLOWED : Decision.IMPLICITLY_DENIED;
    }
}
