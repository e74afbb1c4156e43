//! Discovery (RFC 7644 §4): what the service provider supports, its resource types (User,
//! Group) and the schemas, publishing only the attributes Brigade stores. Read-only: other methods
//! are 405. A connection's token is needed, as for everything under `/scim/v2`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Scim, ScimCaller, ScimError, ScimResult};
use crate::domain::AppError;
use crate::domain::scim::{GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA};
use crate::service::Context;

const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const CONFIG_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// A simple attribute's definition.
fn attribute(name: &str, kind: &str, required: bool, description: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": false, "description": description,
        "required": required, "caseExact": false, "mutability": "readWrite",
        "returned": "default", "uniqueness": "none"
    })
}

/// A complex attribute's definition.
fn complex(name: &str, multi: bool, required: bool, description: &str, subs: Vec<Value>) -> Value {
    json!({
        "name": name, "type": "complex", "multiValued": multi, "description": description,
        "required": required, "mutability": "readWrite", "returned": "default",
        "uniqueness": "none", "subAttributes": subs
    })
}

fn read_only(mut definition: Value) -> Value {
    definition["mutability"] = json!("readOnly");
    definition
}

fn user_schema(base: &str) -> Value {
    let mut user_name = attribute(
        "userName",
        "string",
        true,
        "The person's username in Brigade (3 to 64 letters, digits and . _ - @); unique across Brigade, compared ignoring case.",
    );
    user_name["uniqueness"] = json!("server");
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A person of the organization: their account and their membership.",
        "attributes": [
            user_name,
            complex("name", false, false, "The person's name.", vec![
                attribute("givenName", "string", false, "First name."),
                attribute("familyName", "string", false, "Last name."),
            ]),
            complex("emails", true, true, "The address the person signs in with. Brigade keeps one: the primary, else the first.", vec![
                attribute("value", "string", true, "The email address."),
            ]),
            complex("phoneNumbers", true, false, "The person's mobile number. Brigade keeps one: the primary, else the first.", vec![
                attribute("value", "string", true, "Digits, spaces and + - . ( ); a tel: prefix is dropped."),
            ]),
            attribute("active", "boolean", true, "Whether the membership is active; false deactivates the person here and ends their sessions."),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base}/scim/v2/Schemas/{USER_SCHEMA}")}
    })
}

fn group_schema(base: &str) -> Value {
    let mut display_name = attribute(
        "displayName",
        "string",
        true,
        "The role's name (1 to 100 characters), unique in the organization ignoring case.",
    );
    display_name["uniqueness"] = json!("server");
    let mut reference = attribute("$ref", "reference", false, "The member's URI.");
    reference["mutability"] = json!("immutable");
    reference["referenceTypes"] = json!(["User"]);
    let mut value = attribute(
        "value",
        "string",
        true,
        "The member's id: a user of this organization.",
    );
    value["mutability"] = json!("immutable");
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "A role of the organization. Its members hold it: a library role across the organization, an outlet role at their default outlet. A group created here is a library role with no permissions.",
        "attributes": [
            display_name,
            complex("members", true, false, "The people holding the role.", vec![
                value,
                reference,
            ]),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base}/scim/v2/Schemas/{GROUP_SCHEMA}")}
    })
}

/// The core schemas every service provider describes (RFC 7643 §5–7), in brief.
fn core_schemas(base: &str) -> Vec<Value> {
    let schema = |id: &str, name: &str, description: &str, attributes: Vec<Value>| {
        json!({
            "schemas": [SCHEMA_SCHEMA], "id": id, "name": name, "description": description,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": format!("{base}/scim/v2/Schemas/{id}")}
        })
    };
    vec![
        schema(
            RESOURCE_TYPE_SCHEMA,
            "ResourceType",
            "Specifies the schema that describes a SCIM resource type.",
            vec![
                read_only(attribute(
                    "id",
                    "string",
                    false,
                    "The resource type's server unique id.",
                )),
                read_only(attribute("name", "string", true, "The resource type name.")),
                read_only(attribute(
                    "description",
                    "string",
                    false,
                    "The resource type's description.",
                )),
                read_only(attribute(
                    "endpoint",
                    "reference",
                    true,
                    "The resource type's HTTP-addressable endpoint.",
                )),
                read_only(attribute(
                    "schema",
                    "reference",
                    true,
                    "The resource type's primary schema URI.",
                )),
            ],
        ),
        schema(
            CONFIG_SCHEMA,
            "ServiceProviderConfig",
            "Schema for representing the service provider's configuration.",
            vec![
                read_only(attribute(
                    "documentationUri",
                    "reference",
                    false,
                    "An HTTP-addressable URL pointing to the service provider's help documentation.",
                )),
                read_only(complex(
                    "patch",
                    false,
                    true,
                    "PATCH configuration options.",
                    vec![read_only(attribute(
                        "supported",
                        "boolean",
                        true,
                        "Whether the operation is supported.",
                    ))],
                )),
                read_only(complex(
                    "filter",
                    false,
                    true,
                    "Filter options.",
                    vec![
                        read_only(attribute(
                            "supported",
                            "boolean",
                            true,
                            "Whether the operation is supported.",
                        )),
                        read_only(attribute(
                            "maxResults",
                            "integer",
                            true,
                            "The maximum number of resources returned in a response.",
                        )),
                    ],
                )),
            ],
        ),
        schema(
            SCHEMA_SCHEMA,
            "Schema",
            "Specifies the schema attributes of a resource.",
            vec![
                read_only(attribute(
                    "id",
                    "string",
                    true,
                    "The unique URI of the schema.",
                )),
                read_only(attribute(
                    "name",
                    "string",
                    true,
                    "The schema's human-readable name.",
                )),
                read_only(attribute(
                    "description",
                    "string",
                    false,
                    "The schema's human-readable description.",
                )),
            ],
        ),
    ]
}

fn all_schemas(base: &str) -> Vec<Value> {
    let mut schemas = vec![user_schema(base), group_schema(base)];
    schemas.extend(core_schemas(base));
    schemas
}

fn user_type(base: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User", "name": "User", "endpoint": "/Users",
        "description": "The organization's people.",
        "schema": USER_SCHEMA, "schemaExtensions": [],
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/scim/v2/ResourceTypes/User")}
    })
}

fn group_type(base: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "Group", "name": "Group", "endpoint": "/Groups",
        "description": "The organization's roles; members hold them.",
        "schema": GROUP_SCHEMA, "schemaExtensions": [],
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/scim/v2/ResourceTypes/Group")}
    })
}

fn resource_types_of(base: &str) -> Vec<Value> {
    vec![user_type(base), group_type(base)]
}

fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA], "totalResults": resources.len(), "startIndex": 1,
        "itemsPerPage": resources.len(), "Resources": resources
    })
}

pub async fn service_provider_config(
    State(context): State<Context>,
    ScimCaller(_): ScimCaller,
) -> Scim {
    let base = context.public_url();
    Scim(
        StatusCode::OK,
        json!({
            "schemas": [CONFIG_SCHEMA],
            "documentationUri": format!("{base}/api/docs"),
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": crate::service::scim::MAX_COUNT},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": true},
            "authenticationSchemes": [{
                "type": "oauthbearertoken", "name": "Bearer token",
                "description": "A SCIM connection's token: Security & Permissions, or brigade scim-token create.",
                "primary": true
            }],
            "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/scim/v2/ServiceProviderConfig")}
        }),
    )
}

pub async fn resource_types(State(context): State<Context>, ScimCaller(_): ScimCaller) -> Scim {
    Scim(
        StatusCode::OK,
        list(resource_types_of(context.public_url())),
    )
}

pub async fn resource_type(
    State(context): State<Context>,
    ScimCaller(_): ScimCaller,
    Path(id): Path<String>,
) -> ScimResult<Scim> {
    resource_types_of(context.public_url())
        .into_iter()
        .find(|resource_type| resource_type["id"] == id.as_str())
        .map(|resource_type| Scim(StatusCode::OK, resource_type))
        .ok_or(ScimError(AppError::NotFound))
}

pub async fn schemas(State(context): State<Context>, ScimCaller(_): ScimCaller) -> Scim {
    Scim(StatusCode::OK, list(all_schemas(context.public_url())))
}

pub async fn schema(
    State(context): State<Context>,
    ScimCaller(_): ScimCaller,
    Path(id): Path<String>,
) -> ScimResult<Scim> {
    all_schemas(context.public_url())
        .into_iter()
        .find(|schema| schema["id"] == id.as_str())
        .map(|schema| Scim(StatusCode::OK, schema))
        .ok_or(ScimError(AppError::NotFound))
}
