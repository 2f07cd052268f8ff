package com.deliverychannels.testing.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The IAM policy of each function's execution role, as the SAM transform builds it from
 * {@code infra/template.yaml}: the inline {@code Statement}s of the function's {@code Policies} and the SAM policy
 * templates it names ({@link SamPolicyTemplates}), every intrinsic resolved for a given account and table name
 * (the table name of a test replaces the template's). Functions are known by their export name, the
 * {@code QUARKUS_FUNQY_EXPORT} variable each {@code AWS::Serverless::Function} sets.
 * <p>
 * Only what {@code Policies} grants is modelled: the CloudWatch Logs permissions SAM adds to every role and the
 * {@code sqs:SendMessage} it adds for a dead-letter queue are left out, since no stand-in here needs them. A
 * statement with a {@code Condition}, a function with its own {@code Role}, or a managed policy other than
 * {@code AWSLambdaBasicExecutionRole} is refused rather than modelled wrongly.
 */
public final class TemplatePolicies {
    /** The template, relative to the project folder (the working directory of surefire and failsafe). */
    public static final Path TEMPLATE = Path.of("infra/template.yaml");
    /** The stack name the tests pretend to deploy under; it shows in generated names. */
    public static final String STACK_NAME = "delivery-channels";

    private static final String BASIC_EXECUTION_ROLE = "AWSLambdaBasicExecutionRole";

    /**
     * One function's execution role: its export name, its logical id in the template, the principal its calls
     * are made as ({@link AwsAccount#assumedRole}) and its policy.
     */
    public record FunctionRole(String exportName, String logicalId, String principal, IamPolicy policy) {
    }

    private final Map<String, FunctionRole> roles;

    private TemplatePolicies(Map<String, FunctionRole> roles) {
        this.roles = Collections.unmodifiableMap(roles);
    }

    /** {@link #TEMPLATE} in {@link AwsAccount#TEST}, with the table named {@code tableName} and default parameters. */
    public static TemplatePolicies read(String tableName) {
        return read(TEMPLATE, AwsAccount.TEST, tableName, Map.of());
    }

    /**
     * Reads {@code template} and resolves every function's policy in {@code account}, the template's one
     * {@code AWS::DynamoDB::Table} being named {@code tableName}; {@code parameters} override the template's
     * parameter defaults. A parameter a policy uses that has neither a default nor a value here must be given,
     * except a secret's ARN ({@code ...SecretArn}), which is {@link #secretArn(AwsAccount, String)}.
     */
    public static TemplatePolicies read(Path template, AwsAccount account, String tableName,
                                        Map<String, String> parameters) {
        JsonNode root;
        try {
            root = CloudFormationYaml.read(template);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template, e);
        }
        Intrinsics intrinsics = new Intrinsics(root, account, tableName, parameters);
        Map<String, FunctionRole> roles = new TreeMap<>();
        for (Map.Entry<String, JsonNode> resource : root.path("Resources").properties()) {
            if (!"AWS::Serverless::Function".equals(resource.getValue().path("Type").asText())) {
                continue;
            }
            String logicalId = resource.getKey();
            JsonNode properties = resource.getValue().path("Properties");
            JsonNode export = intrinsics.resolve(properties.path("Environment").path("Variables")
                    .path("QUARKUS_FUNQY_EXPORT"));
            if (export == null || !export.isTextual()) {
                throw new IllegalArgumentException(logicalId + " sets no QUARKUS_FUNQY_EXPORT");
            }
            if (properties.has("Role")) {
                throw new IllegalArgumentException(logicalId + " brings its own Role; only SAM-made roles are modelled");
            }
            List<IamStatement> statements = new ArrayList<>();
            JsonNode policies = properties.path("Policies");
            if (policies.isArray()) {
                policies.forEach(policy -> statements.addAll(policy(logicalId, intrinsics.resolve(policy), account)));
            } else if (!policies.isMissingNode()) {
                statements.addAll(policy(logicalId, intrinsics.resolve(policies), account));
            }
            JsonNode functionName = intrinsics.resolve(properties.path("FunctionName"));
            String session = functionName != null && functionName.isTextual() ? functionName.asText()
                    : STACK_NAME + "-" + logicalId;
            // SAM names the role it makes <LogicalId>Role; CloudFormation adds the stack name and a random suffix.
            String role = STACK_NAME + "-" + logicalId + "Role-TEST";
            FunctionRole previous = roles.put(export.asText(), new FunctionRole(export.asText(), logicalId,
                    account.assumedRole(role, session), new IamPolicy(statements)));
            if (previous != null) {
                throw new IllegalArgumentException("two functions export " + export.asText() + ": "
                        + previous.logicalId() + " and " + logicalId);
            }
        }
        return new TemplatePolicies(roles);
    }

    /**
     * The ARN a {@code ...SecretArn} parameter stands for when none is given: the secret
     * {@code delivery-channels/<name in kebab case>} as {@link SecretsManagerStandIn#arnOf} names it, such as
     * {@code arn:aws:secretsmanager:eu-west-1:123456789012:secret:delivery-channels/credentials-keys-AbCdEf} for
     * {@code CredentialsKeysSecretArn}. A test stores its secret there for the role to be allowed to read it.
     */
    public static String secretArn(AwsAccount account, String parameter) {
        if (!parameter.endsWith("SecretArn")) {
            throw new IllegalArgumentException(parameter + " does not name a secret's ARN");
        }
        String name = parameter.substring(0, parameter.length() - "SecretArn".length())
                .replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
        return SecretsManagerStandIn.arnOf(account, STACK_NAME + "/" + name);
    }

    /** The export names of the template's functions. */
    public Set<String> exportNames() {
        return new TreeSet<>(roles.keySet());
    }

    /** The role of the function exported as {@code exportName}, if the template has one. */
    public Optional<FunctionRole> role(String exportName) {
        return Optional.ofNullable(roles.get(exportName));
    }

    /**
     * The policy of the function exported as {@code exportName}; {@link IamPolicy#denyAll()} for a name the
     * template does not deploy (such a function would have no role at all).
     */
    public IamPolicy policy(String exportName) {
        return role(exportName).map(FunctionRole::policy).orElse(IamPolicy.denyAll());
    }

    /** One entry of {@code Policies}, resolved: an inline policy document, a SAM template, or a managed policy. */
    private static List<IamStatement> policy(String function, JsonNode policy, AwsAccount account) {
        if (policy == null) {
            return List.of(); // an !If that chose AWS::NoValue
        }
        if (policy.isTextual()) {
            String name = policy.asText().substring(policy.asText().lastIndexOf('/') + 1);
            if (name.equals(BASIC_EXECUTION_ROLE)) {
                return List.of(); // logs only, as SAM's own; see the class comment
            }
            throw new IllegalArgumentException(function + ": the managed policy " + policy.asText()
                    + " is not modelled; grant what the function needs inline instead");
        }
        if (policy.has("Statement")) {
            List<IamStatement> statements = new ArrayList<>();
            JsonNode statement = policy.get("Statement");
            if (statement.isArray()) {
                statement.forEach(s -> statements.add(statement(function, s)));
            } else {
                statements.add(statement(function, statement));
            }
            return statements;
        }
        if (policy.isObject() && policy.size() == 1) {
            String template = policy.fieldNames().next();
            Map<String, String> parameters = new LinkedHashMap<>();
            policy.get(template).properties().forEach(p -> parameters.put(p.getKey(), p.getValue().asText()));
            return SamPolicyTemplates.expand(template, parameters, account);
        }
        throw new IllegalArgumentException(function + ": a Policies entry of an unknown shape: " + policy);
    }

    private static IamStatement statement(String function, JsonNode statement) {
        if (statement.has("Condition")) {
            throw new IllegalArgumentException(function + ": statements with a Condition are not modelled: " + statement);
        }
        IamStatement.Effect effect = switch (statement.path("Effect").asText()) {
            case "Allow" -> IamStatement.Effect.ALLOW;
            case "Deny" -> IamStatement.Effect.DENY;
            default -> throw new IllegalArgumentException(function + ": a statement without Effect Allow or Deny: "
                    + statement);
        };
        boolean notAction = statement.has("NotAction");
        boolean notResource = statement.has("NotResource");
        return new IamStatement(effect, texts(statement.path(notAction ? "NotAction" : "Action")), notAction,
                texts(statement.path(notResource ? "NotResource" : "Resource")), notResource);
    }

    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(element -> texts.add(element.asText()));
        } else if (node.isTextual()) {
            texts.add(node.asText());
        }
        return texts;
    }

    /**
     * CloudFormation's intrinsic functions over the template, as far as policies use them: {@code Ref}
     * (parameters, pseudo parameters, resources), {@code Fn::GetAtt}, {@code Fn::Sub}, {@code Fn::Join},
     * {@code Fn::Select}, {@code Fn::Split}, {@code Fn::If} with the template's {@code Conditions}. A resource's
     * physical name is what CloudFormation would generate ({@code <stack>-<LogicalId>}), but the table is named
     * as the test says.
     */
    private static final class Intrinsics {
        private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
        private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]+)}");

        private final JsonNode template;
        private final AwsAccount account;
        private final String tableName;
        private final Map<String, String> parameters;

        Intrinsics(JsonNode template, AwsAccount account, String tableName, Map<String, String> parameters) {
            this.template = template;
            this.account = account;
            this.tableName = tableName;
            this.parameters = parameters;
        }

        /** {@code node} with every intrinsic replaced by its value; null where it resolves to AWS::NoValue. */
        JsonNode resolve(JsonNode node) {
            if (node == null || node.isMissingNode()) {
                return null;
            }
            if (node.isObject() && node.size() == 1) {
                String key = node.fieldNames().next();
                if (key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::")) {
                    return function(key, node.get(key));
                }
            }
            if (node.isObject()) {
                ObjectNode resolved = NODES.objectNode();
                node.properties().forEach(p -> {
                    JsonNode value = resolve(p.getValue());
                    if (value != null) {
                        resolved.set(p.getKey(), value);
                    }
                });
                return resolved;
            }
            if (node.isArray()) {
                ArrayNode resolved = NODES.arrayNode();
                node.forEach(element -> {
                    JsonNode value = resolve(element);
                    if (value != null) {
                        resolved.add(value);
                    }
                });
                return resolved;
            }
            return node;
        }

        private JsonNode function(String name, JsonNode argument) {
            return switch (name) {
                case "Ref" -> ref(argument.asText());
                case "Condition" -> NODES.booleanNode(condition(argument.asText()));
                case "Fn::GetAtt" -> NODES.textNode(getAtt(argument.get(0).asText(), argument.get(1).asText()));
                case "Fn::Sub" -> NODES.textNode(argument.isArray() ? sub(argument.get(0).asText(), argument.get(1))
                        : sub(argument.asText(), NODES.objectNode()));
                case "Fn::If" -> resolve(truth(resolve(argument.get(0).isTextual()
                        ? NODES.objectNode().put("Condition", argument.get(0).asText()) : argument.get(0)))
                        ? argument.get(1) : argument.get(2));
                case "Fn::Join" -> {
                    List<String> parts = new ArrayList<>();
                    resolve(argument.get(1)).forEach(part -> parts.add(part.asText()));
                    yield NODES.textNode(String.join(argument.get(0).asText(), parts));
                }
                case "Fn::Select" -> resolve(argument.get(1)).get(resolve(argument.get(0)).asInt());
                case "Fn::Split" -> {
                    ArrayNode parts = NODES.arrayNode();
                    for (String part : resolve(argument.get(1)).asText().split(Pattern.quote(argument.get(0).asText()), -1)) {
                        parts.add(part);
                    }
                    yield parts;
                }
                case "Fn::Equals" -> NODES.booleanNode(
                        String.valueOf(text(resolve(argument.get(0)))).equals(String.valueOf(text(resolve(argument.get(1))))));
                case "Fn::Not" -> NODES.booleanNode(!truth(resolve(argument.get(0))));
                case "Fn::And" -> {
                    boolean all = true;
                    for (JsonNode operand : argument) {
                        all &= truth(resolve(operand));
                    }
                    yield NODES.booleanNode(all);
                }
                case "Fn::Or" -> {
                    boolean any = false;
                    for (JsonNode operand : argument) {
                        any |= truth(resolve(operand));
                    }
                    yield NODES.booleanNode(any);
                }
                default -> throw new IllegalArgumentException("TemplatePolicies does not resolve " + name);
            };
        }

        private boolean condition(String name) {
            JsonNode definition = template.path("Conditions").path(name);
            if (definition.isMissingNode()) {
                throw new IllegalArgumentException("no condition " + name + " in the template");
            }
            return truth(resolve(definition));
        }

        private static boolean truth(JsonNode value) {
            if (value == null || !value.isBoolean()) {
                throw new IllegalArgumentException("not a condition: " + value);
            }
            return value.booleanValue();
        }

        private static String text(JsonNode value) {
            if (value == null) {
                return null;
            }
            if (value.isArray()) {
                List<String> parts = new ArrayList<>();
                value.forEach(part -> parts.add(part.asText()));
                return String.join(",", parts);
            }
            return value.asText();
        }

        /** Ref of a pseudo parameter, a parameter, or a resource; null for AWS::NoValue. */
        private JsonNode ref(String name) {
            switch (name) {
                case "AWS::NoValue":
                    return null;
                case "AWS::Region":
                    return NODES.textNode(account.region());
                case "AWS::AccountId":
                    return NODES.textNode(account.accountId());
                case "AWS::Partition":
                    return NODES.textNode(account.partition());
                case "AWS::URLSuffix":
                    return NODES.textNode(account.partition().equals("aws-cn") ? "amazonaws.com.cn" : "amazonaws.com");
                case "AWS::StackName":
                    return NODES.textNode(STACK_NAME);
                default:
                    break;
            }
            JsonNode parameter = template.path("Parameters").path(name);
            if (!parameter.isMissingNode()) {
                String value = parameters.containsKey(name) ? parameters.get(name)
                        : parameter.has("Default") ? parameter.get("Default").asText()
                        : name.endsWith("SecretArn") ? secretArn(account, name) : null;
                if (value == null) {
                    throw new IllegalArgumentException("the parameter " + name + " has no default: pass its value");
                }
                if (parameter.path("Type").asText().equals("CommaDelimitedList")) {
                    ArrayNode list = NODES.arrayNode();
                    if (!value.isEmpty()) {
                        for (String element : value.split(",", -1)) {
                            list.add(element.trim());
                        }
                    }
                    return list;
                }
                return NODES.textNode(value);
            }
            JsonNode resource = resource(name);
            String physicalName = STACK_NAME + "-" + name;
            return NODES.textNode(switch (resource.path("Type").asText()) {
                case "AWS::DynamoDB::Table" -> tableName;
                case "AWS::SNS::Topic" -> account.arn("sns", physicalName);
                case "AWS::SQS::Queue" -> "https://sqs." + account.region() + ".amazonaws.com/" + account.accountId()
                        + "/" + physicalName;
                case "AWS::SecretsManager::Secret" -> account.arn("secretsmanager", "secret:"
                        + Optional.ofNullable(resolve(resource.path("Properties").path("Name"))).map(JsonNode::asText)
                        .orElse(physicalName) + "-AbCdEf");
                default -> physicalName;
            });
        }

        private String getAtt(String logicalId, String attribute) {
            JsonNode resource = resource(logicalId);
            String type = resource.path("Type").asText();
            String physicalName = STACK_NAME + "-" + logicalId;
            return switch (type + "." + attribute) {
                case "AWS::DynamoDB::Table.Arn" -> account.tableArn(tableName);
                case "AWS::SQS::Queue.Arn" -> account.arn("sqs", physicalName);
                case "AWS::SQS::Queue.QueueName" -> physicalName;
                case "AWS::SNS::Topic.TopicArn" -> account.arn("sns", physicalName);
                case "AWS::SNS::Topic.TopicName" -> physicalName;
                default -> throw new IllegalArgumentException("TemplatePolicies does not resolve !GetAtt "
                        + logicalId + "." + attribute + " (" + type + ")");
            };
        }

        /** Fn::Sub: {@code ${Name}} as Ref, {@code ${Name.Attribute}} as GetAtt, {@code ${!Literal}} kept. */
        private String sub(String text, JsonNode variables) {
            Matcher matcher = SUB_VARIABLE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String name = matcher.group(1);
                String value;
                if (name.startsWith("!")) {
                    value = "${" + name.substring(1) + "}";
                } else if (variables.has(name)) {
                    value = text(resolve(variables.get(name)));
                } else if (name.contains(".") && !name.startsWith("AWS::")) {
                    String[] parts = name.split("\\.", 2);
                    value = getAtt(parts[0], parts[1]);
                } else {
                    value = text(ref(name));
                }
                matcher.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
            }
            matcher.appendTail(out);
            return out.toString();
        }

        private JsonNode resource(String logicalId) {
            JsonNode resource = template.path("Resources").path(logicalId);
            if (resource.isMissingNode()) {
                throw new IllegalArgumentException("no parameter or resource " + logicalId + " in the template");
            }
            return resource;
        }
    }
}
