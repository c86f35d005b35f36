// The organisation the policies speak of: roles, who counts as an executive (BOR-1), and the
// demo organisation of architecture.md as data. Pure: no I/O.

/** Every role a user can hold; the same list as the CHECK on user_roles.role. */
export const roles = [
  'gm',
  'deputy_gm',
  'director',
  'office_director',
  'archivist',
  'department_manager',
  'marketing_director',
  'marketing_vp',
  'salesperson',
  'showroom_manager',
  'hr',
  'staff',
] as const;

export type Role = (typeof roles)[number];

export interface Label {
  en: string;
  zh: string;
}

/** The i18n table for roles: the Chinese name is the display label the policies use. */
export const roleLabels: Readonly<Record<Role, Label>> = {
  gm: { en: 'General Manager', zh: '总经理' },
  deputy_gm: { en: 'Deputy General Manager', zh: '副总经理' },
  director: { en: 'Director', zh: '总监' },
  office_director: { en: 'Office Director', zh: '总经理办公室主任' },
  archivist: { en: 'Archivist', zh: '档案管理员' },
  department_manager: { en: 'Department Manager', zh: '部门经理' },
  marketing_director: { en: 'Marketing Director', zh: '营销总监' },
  marketing_vp: { en: 'Marketing VP', zh: '营销副总经理' },
  salesperson: { en: 'Salesperson', zh: '销售人员' },
  showroom_manager: { en: 'Showroom Manager', zh: '展厅经理' },
  hr: { en: 'Human Resources', zh: '人力资源部' },
  staff: { en: 'Staff', zh: '员工' },
};

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

/**
 * A role as one user holds it. Only a Department Manager holds the role for a department;
 * every other role is general (departmentId null) and is exercised in the user's own department.
 */
export interface RoleGrant {
  role: Role;
  departmentId: string | null;
}

/** Roles whose grant names the department they are held for (a CHECK in 0002 enforces it). */
export const departmentScopedRoles: readonly Role[] = ['department_manager'];

/** A user as the API and activities see them, with their department's names and their roles. */
export interface User {
  id: string;
  displayName: string;
  displayNameZh: string;
  departmentId: string;
  departmentName: string;
  departmentNameZh: string;
  active: boolean;
  roles: RoleGrant[];
}

/**
 * BOR-1: the GM, Deputy GMs, Directors and the Office Director borrow non-classified archives
 * directly. The Marketing Director is a 总监 and counts as a Director.
 * [interpretation] The Marketing VP 营销副总经理 is a customer-archive role (SEC-1), not one of
 * the Deputy GMs 副总经理 in charge 分管 of departments, so the role alone does not qualify.
 */
export const executiveRoles: readonly Role[] = ['gm', 'deputy_gm', 'director', 'marketing_director', 'office_director'];

/**
 * Whether a user with these grants holds one of `roles`, wherever it is held: the one test of
 * role membership (who is an executive, the Archivist, an overseer of delegations, ...).
 */
export function holdsRole(grants: readonly Pick<RoleGrant, 'role'>[], roles: readonly Role[]): boolean {
  return grants.some((grant) => roles.includes(grant.role));
}

/** Whether the user manages `departmentId` (the one department-scoped role, department_manager). */
export function managesDepartment(grants: readonly Pick<RoleGrant, 'role' | 'departmentId'>[], departmentId: string): boolean {
  return grants.some((grant) => grant.role === 'department_manager' && grant.departmentId === departmentId);
}

/** BOR-1: whether a user with these roles is an executive who borrows without approval. */
export function isExecutive(grants: readonly Pick<RoleGrant, 'role'>[]): boolean {
  return holdsRole(grants, executiveRoles);
}

export interface Department {
  id: string;
  name: string;
  nameZh: string;
}

export interface DemoUser {
  id: string;
  displayName: string;
  displayNameZh: string;
  departmentId: string;
  roles: readonly RoleGrant[];
}

/** The Deputy GM in charge 分管 of a department. */
export interface Oversight {
  departmentId: string;
  deputyGmId: string;
}

export interface Organisation {
  departments: readonly Department[];
  users: readonly DemoUser[];
  oversight: readonly Oversight[];
}

function general(...held: Role[]): RoleGrant[] {
  return held.map((role) => ({ role, departmentId: null }));
}

function managerOf(departmentId: string): RoleGrant {
  return { role: 'department_manager', departmentId };
}

/**
 * The demo organisation of architecture.md ("Demo organisation"), loaded by `npm run seed`
 * and by local mode. Display names say the post, so a demo reads without a staff list.
 */
export const demoOrganisation: Organisation = {
  departments: [
    { id: 'gm-office', name: 'GM Office', nameZh: '总经理办公室' },
    { id: 'finance', name: 'Finance', nameZh: '财务部' },
    { id: 'marketing', name: 'Marketing', nameZh: '营销部' },
    { id: 'business', name: 'Business Dept', nameZh: '业务部' },
    { id: 'sales-floor', name: 'Sales Floor Dept', nameZh: '营业部' },
    { id: 'market', name: 'Market Dept', nameZh: '市场部' },
    // REG-1: the showroom hands regional customers outside Linyi to the Market Dept or to this one.
    { id: 'expansion', name: 'Out-of-Province Expansion Dept', nameZh: '外省拓展部' },
    { id: 'hr', name: 'HR', nameZh: '人力资源部' },
  ],
  users: [
    { id: 'gm', displayName: 'General Manager', displayNameZh: '总经理', departmentId: 'gm-office', roles: general('gm') },
    {
      id: 'dgm-admin',
      displayName: 'Deputy GM (Administration)',
      displayNameZh: '副总经理（行政）',
      departmentId: 'gm-office',
      roles: general('deputy_gm'),
    },
    {
      id: 'dgm-sales',
      displayName: 'Deputy GM (Sales)',
      displayNameZh: '副总经理（销售）',
      departmentId: 'gm-office',
      roles: general('deputy_gm'),
    },
    {
      id: 'office-director',
      displayName: 'Office Director',
      displayNameZh: '总经理办公室主任',
      departmentId: 'gm-office',
      roles: general('office_director'),
    },
    { id: 'archivist', displayName: 'Archivist', displayNameZh: '档案管理员', departmentId: 'gm-office', roles: general('archivist') },
    {
      id: 'finance-director',
      displayName: 'Finance Director',
      displayNameZh: '财务总监',
      departmentId: 'finance',
      roles: general('director'),
    },
    {
      id: 'finance-manager',
      displayName: 'Finance Manager',
      displayNameZh: '财务部经理',
      departmentId: 'finance',
      roles: [managerOf('finance')],
    },
    { id: 'finance-clerk', displayName: 'Finance Clerk', displayNameZh: '财务部职员', departmentId: 'finance', roles: general('staff') },
    {
      id: 'marketing-director',
      displayName: 'Marketing Director',
      displayNameZh: '营销总监',
      departmentId: 'marketing',
      roles: general('marketing_director'),
    },
    {
      id: 'marketing-vp',
      displayName: 'Marketing VP',
      displayNameZh: '营销副总经理',
      departmentId: 'marketing',
      roles: general('marketing_vp'),
    },
    {
      id: 'biz-manager',
      displayName: 'Business Dept Manager',
      displayNameZh: '业务部经理',
      departmentId: 'business',
      roles: [managerOf('business')],
    },
    {
      id: 'biz-sales-1',
      displayName: 'Business Salesperson 1',
      displayNameZh: '业务部销售人员一',
      departmentId: 'business',
      roles: general('salesperson'),
    },
    {
      id: 'biz-sales-2',
      displayName: 'Business Salesperson 2',
      displayNameZh: '业务部销售人员二',
      departmentId: 'business',
      roles: general('salesperson'),
    },
    {
      id: 'floor-manager',
      displayName: 'Sales Floor Manager',
      displayNameZh: '营业部经理（展厅经理）',
      departmentId: 'sales-floor',
      roles: [managerOf('sales-floor'), ...general('showroom_manager')],
    },
    {
      id: 'floor-sales-1',
      displayName: 'Sales Floor Salesperson 1',
      displayNameZh: '营业部销售人员一',
      departmentId: 'sales-floor',
      roles: general('salesperson'),
    },
    {
      id: 'floor-sales-2',
      displayName: 'Sales Floor Salesperson 2',
      displayNameZh: '营业部销售人员二',
      departmentId: 'sales-floor',
      roles: general('salesperson'),
    },
    {
      id: 'market-manager',
      displayName: 'Market Dept Manager',
      displayNameZh: '市场部经理',
      departmentId: 'market',
      roles: [managerOf('market')],
    },
    {
      id: 'market-sales-1',
      displayName: 'Market Dept Salesperson 1',
      displayNameZh: '市场部销售人员一',
      departmentId: 'market',
      roles: general('salesperson'),
    },
    {
      id: 'expansion-manager',
      displayName: 'Expansion Dept Manager',
      displayNameZh: '外省拓展部经理',
      departmentId: 'expansion',
      roles: [managerOf('expansion')],
    },
    {
      id: 'expansion-sales-1',
      displayName: 'Expansion Dept Salesperson 1',
      displayNameZh: '外省拓展部销售人员一',
      departmentId: 'expansion',
      roles: general('salesperson'),
    },
    {
      id: 'hr-manager',
      displayName: 'HR Manager',
      displayNameZh: '人力资源部经理',
      departmentId: 'hr',
      roles: [managerOf('hr'), ...general('hr')],
    },
  ],
  // architecture.md names the Deputy GMs' charges for five departments.
  // [interpretation] Marketing sells, so dgm-sales is in charge of it; HR is an
  // administrative function, so dgm-admin is in charge of it.
  oversight: [
    { departmentId: 'gm-office', deputyGmId: 'dgm-admin' },
    { departmentId: 'finance', deputyGmId: 'dgm-admin' },
    { departmentId: 'hr', deputyGmId: 'dgm-admin' },
    { departmentId: 'business', deputyGmId: 'dgm-sales' },
    { departmentId: 'sales-floor', deputyGmId: 'dgm-sales' },
    { departmentId: 'market', deputyGmId: 'dgm-sales' },
    { departmentId: 'expansion', deputyGmId: 'dgm-sales' },
    { departmentId: 'marketing', deputyGmId: 'dgm-sales' },
  ],
};
