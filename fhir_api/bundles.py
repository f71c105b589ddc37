"""Bundles: a search's page (`searchset`) with its links."""


def entry(resource: dict, *, base: str, mode: str = "match") -> dict:
    return {
        "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": mode},
    }


def searchset(
    *, base: str, self_url: str, next_url: str | None, matches: list[dict], included: list[dict]
) -> dict:
    links = [{"relation": "self", "url": self_url}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    entries = [entry(r, base=base) for r in matches]
    entries += [entry(r, base=base, mode="include") for r in included]
    bundle = {"resourceType": "Bundle", "type": "searchset", "link": links}
    if entries:  # FHIR allows no empty lists
        bundle["entry"] = entries
    return bundle
