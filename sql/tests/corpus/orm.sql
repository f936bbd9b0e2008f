-- Hibernate
select user0_.id as id1_0_, user0_.email as email2_0_, user0_.name as name3_0_ from users user0_ where user0_.email=?
select user0_.id as id1_0_0_, user0_.email as email2_0_0_ from users user0_ where user0_.id=?
select orders0_.user_id as user_id5_1_0_, orders0_.id as id1_1_0_, orders0_.id as id1_1_1_, orders0_.amount as amount2_1_1_ from orders orders0_ where orders0_.user_id=?
select count(user0_.id) as col_0_0_ from users user0_ where user0_.status=? and user0_.age>?
select user0_.id as id1_0_, user0_.name as name3_0_ from users user0_ left outer join orders orders1_ on user0_.id=orders1_.user_id where orders1_.amount>? order by user0_.name asc limit ?
select distinct user0_.id as id1_0_ from users user0_ inner join orders orders1_ on user0_.id=orders1_.user_id where orders1_.status in (? , ?)
insert into users (email, name, created_at, status, age, country_id) values (?, ?, ?, ?, ?, ?)
update users set email=?, name=?, status=? where id=?
delete from users where id=?
select product0_.id as id1_2_, product0_.name as name2_2_ from products product0_ where product0_.category_id in (select category1_.id from categories category1_ where category1_.parent_id=?)
select max(order0_.amount) as col_0_0_, min(order0_.amount) as col_1_0_, avg(order0_.amount) as col_2_0_ from orders order0_
select user0_.id as id1_0_ from users user0_ where exists (select 1 from orders orders1_ where orders1_.user_id=user0_.id and orders1_.amount>=?)
select user0_.id as id1_0_ from users user0_ where user0_.id=? for update
-- Django
SELECT `auth_user`.`id`, `auth_user`.`password`, `auth_user`.`last_login`, `auth_user`.`is_superuser`, `auth_user`.`username`, `auth_user`.`first_name`, `auth_user`.`last_name`, `auth_user`.`email`, `auth_user`.`is_staff`, `auth_user`.`is_active`, `auth_user`.`date_joined` FROM `auth_user` WHERE `auth_user`.`username` = 'admin' LIMIT 21
SELECT `auth_user`.`id`, `auth_user`.`username` FROM `auth_user` WHERE `auth_user`.`id` = 1 LIMIT 21
SELECT (1) AS `a` FROM `auth_user` WHERE `auth_user`.`username` = 'admin' LIMIT 1
SELECT COUNT(*) AS `__count` FROM `auth_user` WHERE `auth_user`.`is_active`
SELECT `auth_user`.`id`, `auth_user`.`username` FROM `auth_user` WHERE (`auth_user`.`is_staff` AND NOT (`auth_user`.`email` LIKE '%@example.com')) ORDER BY `auth_user`.`date_joined` DESC
SELECT `auth_user`.`id` FROM `auth_user` WHERE `auth_user`.`username` LIKE BINARY 'ad%' ORDER BY `auth_user`.`id` ASC LIMIT 10 OFFSET 20
SELECT `auth_user`.`id` FROM `auth_user` WHERE `auth_user`.`date_joined` BETWEEN '2020-01-01 00:00:00' AND '2020-12-31 23:59:59.999999'
SELECT `auth_user`.`id` FROM `auth_user` WHERE `auth_user`.`id` IN (1, 2, 3) ORDER BY `auth_user`.`id` ASC
INSERT INTO `auth_user` (`password`, `last_login`, `is_superuser`, `username`, `first_name`, `last_name`, `email`, `is_staff`, `is_active`, `date_joined`) VALUES ('pbkdf2_sha256$260000$x', NULL, 0, 'bob', '', '', 'bob@example.com', 0, 1, '2021-05-05 10:00:00.000000')
UPDATE `auth_user` SET `last_login` = '2021-05-06 11:00:00.000000' WHERE `auth_user`.`id` = 1
DELETE FROM `auth_user` WHERE `auth_user`.`id` IN (5, 6)
SELECT `orders`.`user_id`, SUM(`orders`.`amount`) AS `total` FROM `orders` GROUP BY `orders`.`user_id` HAVING SUM(`orders`.`amount`) > 100 ORDER BY NULL
SELECT `orders`.`id`, `users`.`email` FROM `orders` INNER JOIN `users` ON (`orders`.`user_id` = `users`.`id`) WHERE `users`.`status` = 'active'
SELECT `orders`.`id` FROM `orders` LEFT OUTER JOIN `users` ON (`orders`.`user_id` = `users`.`id`) WHERE `users`.`id` IS NULL
SELECT DISTINCT `products`.`category_id` FROM `products` WHERE `products`.`price` >= 10.00 ORDER BY `products`.`category_id` ASC
SELECT `auth_user`.`id` FROM `auth_user` WHERE (`auth_user`.`first_name` = '' OR `auth_user`.`last_name` = '') LIMIT 21
SELECT `auth_user`.`id` FROM `auth_user` WHERE `auth_user`.`email` REGEXP BINARY '^[a-z]+@' LIMIT 21
SELECT `auth_user`.`id` FROM `auth_user` WHERE `auth_user`.`username` LIKE '%%' LIMIT 21
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED
SELECT @@SQL_AUTO_IS_NULL
SET SQL_AUTO_IS_NULL = 0
SELECT VERSION()
SELECT engine FROM information_schema.tables WHERE table_name = 'auth_user'
-- Rails / ActiveRecord
SELECT `users`.* FROM `users` WHERE `users`.`id` = 1 LIMIT 1
SELECT `users`.* FROM `users` WHERE `users`.`email` = 'a@b.c' LIMIT 1
SELECT  `users`.* FROM `users` ORDER BY `users`.`id` ASC LIMIT 1
SELECT `users`.* FROM `users` WHERE `users`.`status` IN ('active', 'pending') AND (age > 18)
SELECT COUNT(*) FROM `users` WHERE `users`.`country_id` = 3
SELECT `orders`.* FROM `orders` WHERE `orders`.`user_id` IN (1, 2, 3, 4)
SELECT 1 AS one FROM `users` WHERE `users`.`email` = BINARY 'a@b.c' LIMIT 1
INSERT INTO `users` (`email`, `name`, `created_at`, `status`, `age`, `country_id`) VALUES ('x@y.z', 'X', '2021-01-01 00:00:00', 'active', 30, 1)
UPDATE `users` SET `users`.`name` = 'Y', `users`.`status` = 'inactive' WHERE `users`.`id` = 2
DELETE FROM `orders` WHERE `orders`.`id` = 9
SELECT `products`.* FROM `products` INNER JOIN `categories` ON `categories`.`id` = `products`.`category_id` WHERE `categories`.`name` = 'books' ORDER BY `products`.`price` DESC LIMIT 5 OFFSET 0
SELECT SUM(`order_items`.`qty` * `order_items`.`price`) FROM `order_items` WHERE `order_items`.`order_id` = 3
SELECT `users`.`id` FROM `users` WHERE `users`.`name` IS NOT NULL AND `users`.`created_at` >= '2020-01-01'
SELECT MAX(`orders`.`created_at`) FROM `orders`
-- SQLAlchemy / Laravel / misc drivers
SELECT users.id AS users_id, users.name AS users_name FROM users WHERE users.id = 1
SELECT users.id AS users_id FROM users WHERE users.name LIKE concat(concat('%%', 'a'), '%%')
SELECT count(*) AS count_1 FROM (SELECT users.id AS users_id FROM users WHERE users.age > 20) AS anon_1
SELECT products.name, categories.name AS category FROM products JOIN categories ON categories.id = products.category_id ORDER BY products.name LIMIT 10
select * from `users` where `email` = ? and `users`.`deleted_at` is null limit 1
select count(*) as aggregate from `orders` where `status` = ?
select `users`.*, (select count(*) from `orders` where `users`.`id` = `orders`.`user_id`) as `orders_count` from `users`
insert into `orders` (`user_id`, `amount`, `status`, `created_at`) values (?, ?, ?, ?)
update `orders` set `status` = ?, `amount` = `amount` + ? where `id` = ?
SET NAMES utf8mb4
SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'
SET character_set_results = NULL
SET autocommit=1
SET sql_mode='STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'
SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')
SET @@session.time_zone = '+00:00'
SET time_zone = '+00:00', autocommit = 0
SELECT @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client, @@collation_server AS collation_server, @@max_allowed_packet AS max_allowed_packet, @@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone
SELECT @@tx_isolation
SELECT LAST_INSERT_ID()
SELECT DATABASE()
SHOW WARNINGS
SHOW VARIABLES LIKE 'lower_case_table_names'
SHOW FULL TABLES FROM `tsr` LIKE 'users'
SHOW COLUMNS FROM `users`
SHOW INDEX FROM `orders`
SHOW CREATE TABLE `users`
SHOW SESSION STATUS LIKE 'Ssl_cipher'
