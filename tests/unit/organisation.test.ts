import { describe, expect, it } from 'vitest';
import {
  demoOrganisation,
  departmentScopedRoles,
  executiveRoles,
  isExecutive,
  isRole,
  roleLabels,
  roles,
  type Role,
} from '../../platform/organisation/model.ts';

const demoUser = (id: string) => {
  const user = demoOrganisation.users.find((u) => u.id === id);
  if (!user) throw new Error(`no demo user ${id}`);
  return user;
};

describe('roles', () => {
  it('are the roles the database CHECK allows, each with an English and a Chinese label', () => {
    expect([...roles].sort()).toEqual(
      [
        'archivist', 'department_manager', 'deputy_gm', 'director', 'gm', 'hr', 'marketing_director',
        'marketing_vp', 'office_director', 'salesperson', 'showroom_manager', 'staff',
      ].sort(),
    );
    for (const role of roles) {
      expect(roleLabels[role].en).not.toBe('');
      expect(roleLabels[role].zh).toMatch(/\p{Script=Han}/u);
    }
  });

  it('keep the Chinese names of the policy documents as display labels', () => {
    const zh = Object.fromEntries(roles.map((role) => [role, roleLabels[role].zh]));
    expect(zh).toMatchObject({
      gm: '总经理',
      deputy_gm: '副总经理',
      director: '总监',
      office_director: '总经理办公室主任',
      archivist: '档案管理员',
      department_manager: '部门经理',
      marketing_director: '营销总监',
      marketing_vp: '营销副总经理',
      salesperson: '销售人员',
      showroom_manager: '展厅经理',
      hr: '人力资源部',
    });
  });

  it('are recognised by name', () => {
    expect(isRole('archivist')).toBe(true);
    expect(isRole('janitor')).toBe(false);
  });
});

describe('executives', () => {
  it('BOR-1 executives are the GM, Deputy GMs, Directors and the Office Director', () => {
    for (const role of ['gm', 'deputy_gm', 'director', 'marketing_director', 'office_director'] as const) {
      expect(isExecutive([{ role }])).toBe(true);
    }
    expect([...executiveRoles].sort()).toEqual(['deputy_gm', 'director', 'gm', 'marketing_director', 'office_director']);
  });

  it('BOR-1 everyone else borrows through their Department Manager', () => {
    const others: Role[] = ['archivist', 'department_manager', 'marketing_vp', 'salesperson', 'showroom_manager', 'hr', 'staff'];
    for (const role of others) expect(isExecutive([{ role }])).toBe(false);
    expect(isExecutive([])).toBe(false);
  });

  it('BOR-1 one executive role among others is enough', () => {
    expect(isExecutive([{ role: 'staff' }, { role: 'director' }])).toBe(true);
  });

  it('BOR-1 of the demo organisation, the GM, both Deputy GMs, the Directors and the Office Director are executives', () => {
    const executives = demoOrganisation.users.filter((u) => isExecutive(u.roles)).map((u) => u.id);
    expect(executives.sort()).toEqual(['dgm-admin', 'dgm-sales', 'finance-director', 'gm', 'marketing-director', 'office-director']);
  });
});

describe('demo organisation', () => {
  it('has the departments of architecture.md with Chinese names', () => {
    expect(demoOrganisation.departments.map((d) => [d.id, d.nameZh])).toEqual([
      ['gm-office', '总经理办公室'],
      ['finance', '财务部'],
      ['marketing', '营销部'],
      ['business', '业务部'],
      ['sales-floor', '营业部'],
      ['market', '市场部'],
      ['expansion', '外省拓展部'],
      ['hr', '人力资源部'],
    ]);
  });

  it('has exactly the users of architecture.md, each with a Chinese display name', () => {
    expect(demoOrganisation.users.map((u) => u.id).sort()).toEqual(
      [
        'gm', 'dgm-admin', 'dgm-sales', 'office-director', 'archivist', 'finance-director', 'finance-manager',
        'finance-clerk', 'marketing-director', 'marketing-vp', 'biz-manager', 'biz-sales-1', 'biz-sales-2',
        'floor-manager', 'floor-sales-1', 'floor-sales-2', 'market-manager', 'market-sales-1', 'expansion-manager',
        'expansion-sales-1', 'hr-manager',
      ].sort(),
    );
    for (const user of demoOrganisation.users) expect(user.displayNameZh).toMatch(/\p{Script=Han}/u);
    expect(new Set(demoOrganisation.users.map((u) => u.displayNameZh)).size).toBe(demoOrganisation.users.length);
  });

  it('gives each user the roles and department of architecture.md', () => {
    expect(demoUser('gm')).toMatchObject({ departmentId: 'gm-office', roles: [{ role: 'gm', departmentId: null }] });
    expect(demoUser('archivist').roles).toEqual([{ role: 'archivist', departmentId: null }]);
    expect(demoUser('finance-manager')).toMatchObject({
      departmentId: 'finance',
      roles: [{ role: 'department_manager', departmentId: 'finance' }],
    });
    expect(demoUser('floor-manager').roles).toEqual([
      { role: 'department_manager', departmentId: 'sales-floor' },
      { role: 'showroom_manager', departmentId: null },
    ]);
    expect(demoUser('hr-manager').roles).toEqual([
      { role: 'department_manager', departmentId: 'hr' },
      { role: 'hr', departmentId: null },
    ]);
    expect(demoUser('biz-sales-2')).toMatchObject({ departmentId: 'business', roles: [{ role: 'salesperson', departmentId: null }] });
  });

  it('names a department exactly for department-scoped roles, and only known departments', () => {
    const departments = new Set(demoOrganisation.departments.map((d) => d.id));
    for (const user of demoOrganisation.users) {
      expect(departments.has(user.departmentId)).toBe(true);
      for (const grant of user.roles) {
        expect(grant.departmentId !== null).toBe(departmentScopedRoles.includes(grant.role));
        if (grant.departmentId !== null) expect(departments.has(grant.departmentId)).toBe(true);
      }
    }
  });

  it('puts every department in the charge of one Deputy GM', () => {
    const charge = Object.fromEntries(demoOrganisation.oversight.map((o) => [o.departmentId, o.deputyGmId]));
    expect(charge).toEqual({
      'gm-office': 'dgm-admin',
      finance: 'dgm-admin',
      hr: 'dgm-admin',
      business: 'dgm-sales',
      'sales-floor': 'dgm-sales',
      market: 'dgm-sales',
      marketing: 'dgm-sales',
      expansion: 'dgm-sales',
    });
    expect(demoOrganisation.oversight).toHaveLength(demoOrganisation.departments.length);
    for (const { deputyGmId } of demoOrganisation.oversight) {
      expect(demoUser(deputyGmId).roles.map((g) => g.role)).toContain('deputy_gm');
    }
  });
});
