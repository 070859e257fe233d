import {
  HOPSWORKS_HOST,
  OTHER_PROJECT,
  OTHER_PROJECT_ID,
  OUTSIDER,
  OWNER,
  PROJECT,
  PROJECT_ID,
  SCIENTIST,
  startHopsworksTestSandbox,
  type HopsworksHarness,
} from "../../helpers/hopsworks-sandbox";

describe("hopsworks sandbox: projects", () => {
  let h: HopsworksHarness;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
  });
  afterEach(async () => h.close());

  test("getProjectInfo by name answers id, name and owner to members, with a JWT or an API key", async () => {
    const byKey = await h.call("GET", `/project/getProjectInfo/${PROJECT}`, { apiKey: SCIENTIST.apiKey });
    expect(byKey.status).toBe(200);
    expect(byKey.body).toEqual({ projectId: PROJECT_ID, projectName: PROJECT, owner: OWNER.email, description: "", created: expect.any(String) });
    const byJwt = await h.call("GET", `/project/getProjectInfo/${OTHER_PROJECT}`, { jwt: await h.login(OUTSIDER) });
    expect(byJwt.body).toMatchObject({ projectId: OTHER_PROJECT_ID, projectName: OTHER_PROJECT, owner: OUTSIDER.email });
  });

  test("an unknown project is 404 PROJECT_NOT_FOUND; a non-member gets 403 NO_ROLE_FOUND", async () => {
    const unknown = await h.call("GET", "/project/getProjectInfo/no_such_project", { apiKey: OWNER.apiKey });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ errorCode: 150004, errorMsg: "Project wasn't found." });
    const outsider = await h.call("GET", `/project/getProjectInfo/${PROJECT}`, { apiKey: OUTSIDER.apiKey });
    expect(outsider.status).toBe(403);
    expect(outsider.body).toEqual({ errorCode: 160000, errorMsg: "No valid role found for this user" });
    // Authentication still comes first.
    expect((await h.call("GET", "/project/getProjectInfo/no_such_project")).status).toBe(401);
  });

  test("projectMembers lists members with their role (owner a Data owner); non-members and unknown ids are refused", async () => {
    const res = await h.call("GET", `/project/${PROJECT_ID}/projectMembers`, { apiKey: SCIENTIST.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        projectTeamPK: { projectId: PROJECT_ID, teamMember: OWNER.email },
        user: { username: OWNER.username, email: OWNER.email, firstname: "Olivia", lastname: "Owner" },
        teamRole: "Data owner",
        timestamp: expect.any(String),
      },
      {
        projectTeamPK: { projectId: PROJECT_ID, teamMember: SCIENTIST.email },
        user: { username: SCIENTIST.username, email: SCIENTIST.email, firstname: "Sam", lastname: "Scientist" },
        teamRole: "Data scientist",
        timestamp: expect.any(String),
      },
    ]);
    const outsider = await h.call("GET", `/project/${PROJECT_ID}/projectMembers`, { jwt: await h.login(OUTSIDER) });
    expect(outsider).toMatchObject({ status: 403, body: { errorCode: 160000 } });
    expect((await h.call("GET", "/project/999/projectMembers", { apiKey: OWNER.apiKey })).body).toEqual({
      errorCode: 150004,
      errorMsg: "Project wasn't found.",
    });
    expect((await h.call("GET", "/project/abc/projectMembers", { apiKey: OWNER.apiKey })).status).toBe(404);
  });

  test("findProject is what tests and the CLI read", async () => {
    const instance = h.hopsworks.instances[0]!.instance;
    expect(instance.host).toBe(HOPSWORKS_HOST);
    expect(instance.version).toBe("4.2.1");
    expect(instance.findProject(PROJECT)).toMatchObject({ id: PROJECT_ID, ownerEmail: OWNER.email });
    expect(instance.findProject("nope")).toBeUndefined();
  });
});
