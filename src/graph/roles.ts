/**
 * Built-in Azure role definitions that matter for attack paths (facts: GUID -> name, what holding it gives).
 * Names and GUIDs are the public built-in role ids. A role not listed here is treated as granting access
 * (conservative) and named by its GUID.
 */
export type RoleReach = "data" | "control" | "none";

const ROLES: Record<string, [string, RoleReach]> = {
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": ["Owner", "control"],
	"b24988ac-6180-42a0-ab88-20f7382dd24c": ["Contributor", "control"],
	"18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": [
		"User Access Administrator",
		"control",
	],
	"acdd72a7-3385-48ef-bd42-f606fba81ae7": ["Reader", "none"],
	"39bc4728-0917-49c7-9d2c-d95423bc2eb4": ["Security Reader", "none"],
	"43d0d8ad-25c7-4714-9337-8ba259a9fe05": ["Monitoring Reader", "none"],
	"c12c1c16-33a1-487b-954d-41c89c60f349": ["Reader and Data Access", "data"],
	"17d1049b-9a84-46fb-8f53-869881c3d3ab": [
		"Storage Account Contributor",
		"data",
	],
	"81a9662b-bebf-436f-a333-f67b29880f12": [
		"Storage Account Key Operator Service Role",
		"data",
	],
	"ba92f5b4-2d11-453d-a403-e96b0029c9fe": [
		"Storage Blob Data Contributor",
		"data",
	],
	"b7e6dc6d-f1e8-4753-8033-0f276bb0955b": ["Storage Blob Data Owner", "data"],
	"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": ["Storage Blob Data Reader", "data"],
	"974c5e8b-45b9-4653-ba55-5f855dd0fb88": [
		"Storage Queue Data Contributor",
		"data",
	],
	"19e7f393-937e-4f77-808e-94535e297925": ["Storage Queue Data Reader", "data"],
	"f25e0fa2-a7c8-4377-a976-54943a77a395": ["Key Vault Contributor", "control"],
	"00482a5a-887f-4fb3-b363-3b7fe8e74483": ["Key Vault Administrator", "data"],
	"4633458b-17de-408a-b874-0445c86b69e6": ["Key Vault Secrets User", "data"],
	"b86a8fe4-44ce-4948-aee5-eccb2c155cd7": ["Key Vault Secrets Officer", "data"],
	"14b46e9e-c2b7-41b4-b07b-48a6ebf60603": ["Key Vault Crypto Officer", "data"],
	"21090545-7ca7-4776-b22c-e363652d74d2": ["Key Vault Reader", "none"],
	"9b7fa17d-e63e-47b0-bb0a-15c516ac86ec": ["SQL DB Contributor", "control"],
	"6d8ee4ec-f05a-4a1d-8b00-a9b17e38b437": ["SQL Server Contributor", "control"],
	"056cd41c-7e88-42e1-933e-88ba6a50c9c3": ["SQL Security Manager", "control"],
	"5bd9cd88-fe45-4216-938b-f97437e15450": [
		"DocumentDB Account Contributor",
		"data",
	],
	"230815da-be43-4aae-9cb4-875f7bd000aa": ["Cosmos DB Operator", "control"],
	"fbdf93bf-df7d-467e-a4d2-9458aa1360c8": [
		"Cosmos DB Account Reader Role",
		"data",
	],
	"9980e02c-c2be-4d73-94e8-173b1dc7cf3c": [
		"Virtual Machine Contributor",
		"control",
	],
	"1c0163c0-47e6-4577-8991-ea5c82e286e4": [
		"Virtual Machine Administrator Login",
		"control",
	],
	"fb879df8-f326-4884-b1cf-06f3ad86be52": [
		"Virtual Machine User Login",
		"control",
	],
};

/** Resource types a service-specific role acts on (by role-name prefix); generic roles act on everything. */
const SERVICE_SCOPE: [RegExp, string[]][] = [
	[/^(Storage|Reader and Data Access)/, ["microsoft.storage/storageaccounts"]],
	[/^Key Vault/, ["microsoft.keyvault/vaults"]],
	[
		/^SQL/,
		[
			"microsoft.sql/servers",
			"microsoft.sql/servers/databases",
			"microsoft.sql/managedinstances",
		],
	],
	[/^(Cosmos|DocumentDB)/, ["microsoft.documentdb/databaseaccounts"]],
	[
		/^Virtual Machine/,
		[
			"microsoft.compute/virtualmachines",
			"microsoft.compute/virtualmachinescalesets",
		],
	],
];

export function roleInfo(roleDefinitionId: string): {
	name: string;
	reach: RoleReach;
	types?: string[];
} {
	const guid = roleDefinitionId.split("/").pop()?.toLowerCase() ?? "";
	const r = ROLES[guid];
	if (!r) return { name: `role ${guid}`, reach: "data" };
	return {
		name: r[0],
		reach: r[1],
		types: SERVICE_SCOPE.find(([re]) => re.test(r[0]))?.[1],
	};
}
