import io


def test_file_and_recording_attachments_respect_unit_scope(api):
    o = api.create(unit="town_humen", town="town_humen")
    r = api.as_("agent").post(f"/api/v1/orders/{o['id']}/attachments",
                              json={"recording_ref": "CALL-20261127-000123"})
    assert r.status_code == 201 and r.json["kind"] == "recording"
    r = api.as_("town_humen").post(
        f"/api/v1/orders/{o['id']}/attachments", content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"\x89PNG fake image"), "现场照片.png", "image/png")})
    assert r.status_code == 201 and r.json["size"] == 15
    aid = r.json["id"]
    items = api.as_("town_humen").get(f"/api/v1/orders/{o['id']}/attachments").json["items"]
    assert [i["kind"] for i in items] == ["recording", "file"]
    got = api.as_("town_humen").get(f"/api/v1/orders/{o['id']}/attachments/{aid}")
    assert got.status_code == 200 and got.data == b"\x89PNG fake image"
    # another unit sees nothing of it
    assert api.as_("town_dalang").get(f"/api/v1/orders/{o['id']}/attachments").status_code == 404
    assert api.as_("town_dalang").get(
        f"/api/v1/orders/{o['id']}/attachments/{aid}").status_code == 404
    bad = api.as_("town_humen").post(
        f"/api/v1/orders/{o['id']}/attachments", content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"MZ..."), "virus.exe", "application/x-msdownload")})
    assert bad.status_code == 422 and "file" in bad.json["error"]["fields"]
    assert api.as_("agent").post(f"/api/v1/orders/{o['id']}/attachments",
                                 json={}).status_code == 422
